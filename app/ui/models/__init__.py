"""Qt item models over the project store: paged, SQL-sorted, never a proxy over big data."""

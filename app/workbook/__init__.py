"""openpyxl's home: reading and writing spreadsheets (xlsx) for the rest of the core."""

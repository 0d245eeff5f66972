"""The work behind the Paquets page: checking and building a transfer (no widgets here)."""

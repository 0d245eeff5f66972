"""Demo material: real sample files of many formats and a realistic commune share."""

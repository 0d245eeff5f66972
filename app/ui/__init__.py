"""The only Qt layer: the desktop window over the core."""

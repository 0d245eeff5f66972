"""Command line: cli_interop."""

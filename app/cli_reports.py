"""Command line: cli_reports."""

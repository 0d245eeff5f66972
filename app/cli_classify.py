"""Command line: cli_classify."""

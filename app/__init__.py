"""Besace: audit, classification and SEDA transfer of a commune's born-digital records."""

__version__ = "0.1.0"
APP_NAME = "Besace"
APP_ID = "besace"

"""Widgets of the Décrire page: unit browser, structured editor, expert XML view."""

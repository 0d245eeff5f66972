"""Widgets of the Classer page: series panel, inventory tree, rules editor, audit grid."""

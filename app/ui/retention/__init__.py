"""Widgets of the Conservation page: referentials, rules per series, states, eliminations."""

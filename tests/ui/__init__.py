"""UI tests (pytest-qt, offscreen); a package so its conftest does not shadow tests/conftest.py."""

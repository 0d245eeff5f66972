"""The pages of the main window, in navigation order.

Each step of the mission lives in its own module `app.ui.pages.<page_id>` and defines one
`Page` subclass whose `page_id` is that name. A step whose module is not written yet is
simply absent from the navigation; a module that exists but fails to import is a bug and
raises.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect

from app.ui.pages.base import Page

# The real work's order: mission, scan, exploration, classification, description,
# retention, packages, sending, reports; settings last.
PAGE_ORDER = (
    "start",
    "scan",
    "explore",
    "classify",
    "describe",
    "retention",
    "package",
    "outbox",
    "reports",
    "settings",
)


def _page_class(page_id: str) -> type[Page] | None:
    module_name = f"{__name__}.{page_id}"
    if importlib.util.find_spec(module_name) is None:
        return None
    module = importlib.import_module(module_name)
    for _name, value in inspect.getmembers(module, inspect.isclass):
        if issubclass(value, Page) and value is not Page and value.page_id == page_id:
            return value
    return None


def page_classes() -> list[type[Page]]:
    """The page classes available, in navigation order."""
    found = (_page_class(page_id) for page_id in PAGE_ORDER)
    return [cls for cls in found if cls is not None]

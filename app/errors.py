"""Errors that stop an operation, and issues recorded as data while it goes on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from app.i18n import N_, _


class AppError(Exception):
    """A failure the user can understand and act on; its message is already translated."""

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return f"{self.message}\n{self.details}" if self.details else self.message


ErrorT = TypeVar("ErrorT", bound=AppError)


def refusal(error: type[ErrorT], message: str, problems: Sequence[str], limit: int = 100) -> ErrorT:
    """An error listing the problems found in some input, the first `limit` of them."""
    shown = list(problems[:limit])
    if len(problems) > limit:
        shown.append(_("… and {n} more").format(n=len(problems) - limit))
    return error(message, details="\n".join(shown))


class ProjectError(AppError):
    """The project file cannot be created, opened, upgraded or written."""


class ProjectBusyError(ProjectError):
    """Another Besace process holds the project for a long operation."""


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


SEVERITY_LABELS = (N_("info"), N_("warning"), N_("error"))


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem met on one item: what, where, how bad; never an exception."""

    severity: Severity
    code: str
    where: str
    message: str

"""Errors that stop an operation, and issues recorded as data while it goes on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.i18n import N_


class AppError(Exception):
    """A failure the user can understand and act on; its message is already translated."""

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return f"{self.message}\n{self.details}" if self.details else self.message


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

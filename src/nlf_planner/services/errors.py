"""Typed, user-readable errors raised by the services.

A page shows ``str(error)`` as it is: every message says what was wrong and what to do, in
plain English, and never carries a traceback. Subclasses let a page react (keep edits after a
stale save, show a table of validation issues) without knowing the store's exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ServiceError(Exception):
    """A refusal a person can read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotSignedIn(ServiceError):
    """A change was asked for without a known person to record in the audit log."""


class NotAllowed(ServiceError):
    """The acting user's role does not allow this action; nothing was written."""


class ValidationFailed(ServiceError):
    """The input broke a rule; ``issues`` lists every problem (domain issue objects)."""

    def __init__(self, message: str, issues: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.issues = list(issues)


class StaleVersion(ServiceError):
    """Someone saved a newer version first; the caller's edits are untouched."""

    def __init__(self, message: str, current_version: Any = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class NothingToSave(ServiceError):
    """The draft matches the version it started from, so no new version was written."""


class NotFound(ServiceError):
    """The record asked for does not exist (or was removed)."""


class ReadOnly(ServiceError):
    """The database is open read-only just now, so nothing can be saved."""


class Unavailable(ServiceError):
    """The database (or another resource a service needs) cannot be reached."""

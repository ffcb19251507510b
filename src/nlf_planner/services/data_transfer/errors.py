"""The refusals of data transfer, as typed service errors a page can show as they are.

Files that cannot be read, a workbook whose sheet must be chosen, an import or restore the
store refused: each becomes a :class:`~nlf_planner.services.errors.ServiceError` whose message
says what happened and that nothing was changed, so no page needs to know the domain's or the
store's own exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence

from nlf_planner import imports as import_rules
from nlf_planner import textcheck
from nlf_planner.engagement import EngagementValidationError
from nlf_planner.plan import PlanError
from nlf_planner.services.errors import (
    ReadOnly,
    ServiceError,
    StaleVersion,
    Unavailable,
    ValidationFailed,
)
from nlf_planner.store import ReadOnlyError, StoreError
from nlf_planner.store.backup import BackupError
from nlf_planner.store.imports import ImportRefused
from nlf_planner.store.plans import StaleVersionError


class FileUnreadable(ValidationFailed):
    """An uploaded file cannot be read at all (empty, too big, damaged, not CSV or XLSX)."""


class SheetChoiceNeeded(FileUnreadable):
    """A workbook holds several data sheets; ``sheets`` are the ones a person may choose."""

    def __init__(self, message: str, sheets: Sequence[str]) -> None:
        super().__init__(message)
        self.sheets = list(sheets)


def unreadable(exc: import_rules.ImportFileError) -> FileUnreadable:
    """The domain's file error as a service error, keeping the sheets to choose from."""
    if isinstance(exc, import_rules.SheetChoiceNeeded):
        return SheetChoiceNeeded(str(exc), exc.sheets)
    return FileUnreadable(str(exc))


def clean_text(value: str | None, field: str, nothing_done: str) -> str | None:
    """A free-text field (an import's or restore's reason) stripped, or None when blank;
    :class:`ValidationFailed` naming the field when it holds a control character."""
    try:
        textcheck.check_text(value, field, multiline=True)
    except textcheck.ControlCharacterError as exc:
        raise ValidationFailed(f"{nothing_done}: {exc}") from exc
    return (value or "").strip() or None


def refusal(exc: BaseException, nothing_done: str) -> ServiceError:
    """A failure while writing as a readable refusal, prefixed with what did not happen
    (e.g. "Nothing was imported"). Exceptions of other kinds are not ours to explain."""
    if isinstance(exc, ServiceError):
        return exc
    text = f"{nothing_done}: {_sentence(exc)}"
    if isinstance(exc, ReadOnlyError):
        return ReadOnly(text)
    if isinstance(exc, StaleVersionError):
        return StaleVersion(text, exc.latest)
    if isinstance(exc, EngagementValidationError):
        return ValidationFailed(f"{nothing_done}. " + " ".join(exc.problems), exc.problems)
    if isinstance(exc, (ImportRefused, BackupError, PlanError)):
        return ValidationFailed(text, getattr(exc, "issues", ()))
    if isinstance(exc, (StoreError, OSError)):
        return Unavailable(text)
    raise TypeError(f"not a data transfer failure: {type(exc).__name__}") from exc


#: What :func:`refusal` knows how to explain; callers catch exactly these.
REFUSALS: tuple[type[BaseException], ...] = (
    ServiceError,
    StoreError,
    ImportRefused,
    PlanError,
    EngagementValidationError,
    OSError,
)


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:1].upper() + text[1:]

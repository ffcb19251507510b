"""The rules for chart notes and SPC rebases, checked before anything is written.

Making Data Count asks that a rebase is a person's decision, made for a stated reason after a
real, understood change, so the checks live here (pure, testable without a database) and the
annotations service applies them to every write, whichever page or tool asks.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.periods import day_label
from nlf_planner.settings import get_settings

#: Notes and reasons are one line on a chart's hover text, not essays.
MAX_TEXT = 200
#: The earliest date a note or rebase may carry when the import limit cannot be read: the
#: default of the ``NLF_EARLIEST_PERIOD`` setting. A chart may hold history from before the
#: framework (back to that import limit), so its notes and rebases may reach back as far.
DEFAULT_EARLIEST = date(2010, 4, 1)
#: How far ahead a note may sit (a planned launch), in years.
FUTURE_YEARS = 6


@dataclass(frozen=True)
class AnnotationIssue:
    """One problem with a note or rebase, named by the field a person filled in."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def clean_text(text: str | None) -> str:
    """The text as it is stored: surrounding spaces removed."""
    return (text or "").strip()


def text_issues(text: str | None, what: str, field: str) -> list[AnnotationIssue]:
    """A required one-line text: present and at most :data:`MAX_TEXT` characters."""
    cleaned = clean_text(text)
    if not cleaned:
        return [AnnotationIssue(field, f"The {what} cannot be empty.")]
    if len(cleaned) > MAX_TEXT:
        return [
            AnnotationIssue(
                field, f"The {what} is {len(cleaned)} characters; keep it to {MAX_TEXT}."
            )
        ]
    return []


def earliest() -> date:
    """The earliest date on a chart: the measurement import's limit (the
    ``NLF_EARLIEST_PERIOD`` setting, April 2010 by default), read each call; a setting the
    app cannot use falls back to the default here (the import itself refuses it aloud)."""
    try:
        value = getattr(get_settings(), "earliest_period", DEFAULT_EARLIEST)
    except ValueError:
        return DEFAULT_EARLIEST
    return value if isinstance(value, date) else DEFAULT_EARLIEST


def period_issues(period: object, today: date | None = None) -> list[AnnotationIssue]:
    """A real date, not before the charts' history can start and not far in the future."""
    if not isinstance(period, date):
        return [AnnotationIssue("period", "Choose a date.")]
    first = earliest()
    if period < first:
        return [AnnotationIssue("period", f"The date must be on or after {day_label(first)}.")]
    today = today or date.today()
    if period > today.replace(year=today.year + FUTURE_YEARS):
        return [AnnotationIssue("period", "The date is too far in the future.")]
    return []


def code_issues(
    measure_code: str | None,
    geo_code: str | None,
    known_measures: Collection[str],
    known_geos: Collection[str],
) -> list[AnnotationIssue]:
    """Codes a chart can have: a known measure and England, a region or an ICB (None = all)."""
    issues = []
    if measure_code is not None and measure_code not in known_measures:
        issues.append(AnnotationIssue("measure_code", f"Unknown measure {measure_code!r}."))
    if geo_code is not None and geo_code != ENGLAND_CODE and geo_code not in known_geos:
        issues.append(AnnotationIssue("geo_code", f"Unknown region or ICB {geo_code!r}."))
    return issues


def note_issues(
    *,
    period: object,
    text: str | None,
    measure_code: str | None,
    geo_code: str | None,
    known_measures: Collection[str],
    known_geos: Collection[str],
    today: date | None = None,
) -> list[AnnotationIssue]:
    """Every problem with an event note; an empty list means it may be saved."""
    return [
        *text_issues(text, "note", "text"),
        *period_issues(period, today),
        *code_issues(measure_code, geo_code, known_measures, known_geos),
    ]


def duplicate_rebase_message(period: date) -> str:
    """Why a second rebase on the same chart and date is refused (one rule, two checks)."""
    return f"There is already a rebase at {day_label(period)}."


def rebase_issues(
    *,
    period: object,
    reason: str | None,
    measure_code: str,
    geo_code: str,
    known_measures: Collection[str],
    known_geos: Collection[str],
    existing: Collection[date] = (),
    today: date | None = None,
) -> list[AnnotationIssue]:
    """Every problem with a rebase: a reason is required, and one rebase per chart and date."""
    issues = [
        *text_issues(reason, "reason for the rebase", "reason"),
        *period_issues(period, today),
        *code_issues(measure_code, geo_code, known_measures, known_geos),
    ]
    if isinstance(period, date) and period in set(existing):
        issues.append(AnnotationIssue("period", duplicate_rebase_message(period)))
    return issues


def removal_issues(reason: str | None) -> list[AnnotationIssue]:
    """Withdrawing a rebase changes the chart's limits again, so it needs a reason too."""
    return text_issues(reason, "reason for removing the rebase", "reason")


def summary(issues: list[AnnotationIssue]) -> str:
    """The issues as one message fit to show a person."""
    return " ".join(i.message for i in issues)

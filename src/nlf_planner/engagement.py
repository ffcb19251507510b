"""Engagement programme rules: stakeholder and event records, validation, the influence/interest
grid, coverage of priority areas by region, and who has gone quiet.

The June 2016 draft spends most of its length on how the framework is built with people; a
strategy lead runs that programme here. Everything in this module is pure (no SQL, no
Streamlit) so the store, the pages and the importer share one set of rules.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlf_planner import textcheck
from nlf_planner.settings import CONTENT_DIR, REFERENCE_DIR

# --- codes ---------------------------------------------------------------------------------

GroupCode = Literal[
    "national_body",
    "provider",
    "system",
    "royal_college",
    "patient_org",
    "academic",
    "network",
    "devolved_nation",
]
GROUPS: dict[str, str] = {
    "national_body": "National body",
    "provider": "Provider",
    "system": "System / ICS",
    "royal_college": "Royal college",
    "patient_org": "Patient organisation",
    "academic": "Academic / think tank",
    "network": "Network",
    "devolved_nation": "Devolved nation",
}

EventType = Literal["visit", "workshop", "roundtable", "event", "meeting", "survey"]
EVENT_TYPES: dict[str, str] = {
    "visit": "Visit",
    "workshop": "Workshop",
    "roundtable": "Roundtable",
    "event": "Event",
    "meeting": "Meeting",
    "survey": "Survey",
}

NATIONAL = "NATIONAL"  # coverage column for events with no region (national or devolved)
NATIONAL_LABEL = "National / no region"

# --- the influence/interest grid -----------------------------------------------------------

# Scores are whole numbers 1-5. A score of 4 or 5 is "high", 1-3 is "low": the grid lines sit at
# 3.5, so no stakeholder ever sits on a line, and a middling 3 is not yet a reason to manage
# someone closely. Change HIGH_FROM to move the lines (the chart reads it too).
HIGH_FROM = 4
GRID_LINE = HIGH_FROM - 0.5

MANAGE_CLOSELY = "Manage closely"
KEEP_SATISFIED = "Keep satisfied"
KEEP_INFORMED = "Keep informed"
MONITOR = "Monitor"
QUADRANTS: tuple[str, ...] = (MANAGE_CLOSELY, KEEP_SATISFIED, KEEP_INFORMED, MONITOR)
QUADRANT_HELP: dict[str, str] = {
    MANAGE_CLOSELY: "high influence, high interest: involve in decisions, meet regularly",
    KEEP_SATISFIED: "high influence, lower interest: consult on what affects them",
    KEEP_INFORMED: "lower influence, high interest: keep updated, use as champions",
    MONITOR: "lower influence, lower interest: light-touch updates",
}


def quadrant(interest: int, influence: int) -> str:
    """Mendelow-style quadrant for one stakeholder (influence on y, interest on x)."""
    high_influence = influence >= HIGH_FROM
    high_interest = interest >= HIGH_FROM
    if high_influence and high_interest:
        return MANAGE_CLOSELY
    if high_influence:
        return KEEP_SATISFIED
    if high_interest:
        return KEEP_INFORMED
    return MONITOR


# --- reference codes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceCodes:
    """Known region and priority-area codes with display names (order kept for charts)."""

    regions: Mapping[str, str]  # code -> short name
    areas: Mapping[str, str]  # code -> name


@lru_cache(maxsize=1)
def default_reference() -> ReferenceCodes:
    """Codes from the shipped CSVs: used when the database has not been loaded yet."""
    with (REFERENCE_DIR / "regions.csv").open(encoding="utf-8", newline="") as fh:
        regions = {r["region_code"]: r["short_name"] for r in csv.DictReader(fh)}
    with (CONTENT_DIR / "priority_areas.csv").open(encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["sort_order"]))
        areas = {r["code"]: r["name"] for r in rows}
    return ReferenceCodes(regions=regions, areas=areas)


# --- records -------------------------------------------------------------------------------


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _code_from(value: Any, table: Mapping[str, str]) -> Any:
    """Accept a code or its label in any case, so imports can use either."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    lowered = text.lower()
    for code, label in table.items():
        if lowered in (code.lower(), label.lower()):
            return code
    return text


class Stakeholder(BaseModel):
    """A person or organisation the programme engages with."""

    model_config = ConfigDict(str_strip_whitespace=True)

    stakeholder_id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    group: GroupCode
    region_code: str | None = None
    interest: int = Field(ge=1, le=5)
    influence: int = Field(ge=1, le=5)
    owner: str | None = Field(default=None, max_length=120)
    last_contact: date | None = None
    next_step: str | None = Field(default=None, max_length=500)
    seeded: bool = False
    retired: bool = False

    @field_validator("region_code", "owner", "next_step", "last_contact", mode="before")
    @classmethod
    def _blanks(cls, v: Any) -> Any:
        return _blank_to_none(v)

    @field_validator("group", mode="before")
    @classmethod
    def _group(cls, v: Any) -> Any:
        return _code_from(v, GROUPS)

    @field_validator("name", mode="before")
    @classmethod
    def _tidy_name(cls, v: Any) -> Any:
        return " ".join(v.split()) if isinstance(v, str) else v

    @field_validator("interest", "influence", mode="before")
    @classmethod
    def _whole(cls, v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    @property
    def quadrant(self) -> str:
        return quadrant(self.interest, self.influence)


class EngagementEvent(BaseModel):
    """A visit, workshop, roundtable, event, meeting or survey; a phase has an end date."""

    model_config = ConfigDict(str_strip_whitespace=True)

    event_id: int | None = None
    event_date: date
    end_date: date | None = None
    title: str = Field(min_length=1, max_length=200)
    event_type: EventType
    audience: str | None = Field(default=None, max_length=500)
    region_code: str | None = None
    outcome: str | None = Field(default=None, max_length=2000)
    actions: str | None = Field(default=None, max_length=2000)
    stakeholder_ids: list[int] = Field(default_factory=list)
    priority_areas: list[str] = Field(default_factory=list)
    seeded: bool = False

    @field_validator("end_date", "audience", "region_code", "outcome", "actions", mode="before")
    @classmethod
    def _blanks(cls, v: Any) -> Any:
        return _blank_to_none(v)

    @field_validator("event_type", mode="before")
    @classmethod
    def _type(cls, v: Any) -> Any:
        return _code_from(v, EVENT_TYPES)

    @field_validator("stakeholder_ids", "priority_areas", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, str):
            return [p.strip() for p in v.replace(";", ",").split(",") if p.strip()]
        return list(v)

    @field_validator("stakeholder_ids", "priority_areas")
    @classmethod
    def _unique(cls, v: list) -> list:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _dates_in_order(self) -> EngagementEvent:
        if self.end_date is not None and self.end_date < self.event_date:
            raise ValueError("the end date is before the start date")
        return self

    @property
    def is_phase(self) -> bool:
        return self.end_date is not None and self.end_date > self.event_date


# --- validation ----------------------------------------------------------------------------


class EngagementValidationError(ValueError):
    """Input that cannot be saved; ``problems`` are plain-English lines naming the field."""

    def __init__(self, problems: list[str], subject: str = ""):
        self.problems = problems
        prefix = f"{subject}: " if subject else ""
        super().__init__(prefix + " ".join(problems))


FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "group": "Group",
    "region_code": "Region",
    "interest": "Interest",
    "influence": "Influence",
    "owner": "Owner",
    "last_contact": "Last contact",
    "next_step": "Next step",
    "event_date": "Date",
    "end_date": "End date",
    "title": "Title",
    "event_type": "Type",
    "audience": "Audience",
    "outcome": "Outcome",
    "actions": "Actions",
    "stakeholder_ids": "Stakeholders",
    "priority_areas": "Priority areas",
}


def _friendly(error: dict[str, Any]) -> str:
    """Turn one pydantic error into a sentence a strategy lead can act on."""
    loc = error.get("loc") or ()
    field = str(loc[0]) if loc else ""
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize() or "Entry")
    kind = error.get("type", "")
    given = error.get("input")
    if field in ("interest", "influence"):
        if kind == "missing" or given in (None, ""):
            return f"{label} is required: a whole number from 1 to 5."
        return f"{label} must be a whole number from 1 to 5 (got {given!r})."
    blank = given is None or (isinstance(given, str) and not given.strip())
    if kind == "missing" or (blank and kind != "value_error"):
        return f"{label} is required."
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"{label} is too long (at most {limit} characters)."
    if field == "group":
        options = ", ".join(GROUPS.values())
        return f"{label} {given!r} is not a known group; choose one of: {options}."
    if field == "event_type":
        options = ", ".join(EVENT_TYPES.values())
        return f"{label} {given!r} is not a known type; choose one of: {options}."
    if kind.startswith("date") or field in ("event_date", "end_date", "last_contact"):
        if given in (None, ""):
            return f"{label} is required."
        return f"{label} {given!r} is not a date (use YYYY-MM-DD)."
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{label}: {message}." if field else message[:1].upper() + message[1:] + "."


def _parse(model: type[BaseModel], data: Mapping[str, Any], subject: str) -> Any:
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        problems = list(dict.fromkeys(_friendly(e) for e in exc.errors()))
        raise EngagementValidationError(problems, subject) from None


def _date_or_none(value: Any) -> date | None:
    """A date read from raw input, or None when it is blank or not a date (reported apart).

    Lets the future-date rule run even when another field already failed, so every problem
    is reported at once.
    """
    value = _blank_to_none(value)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def normalise_name(name: str) -> str:
    """The form used to spot duplicates: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(str(name).split()).casefold()


def duplicate_name_problem(
    name: Any, existing: Mapping[int, tuple[str, bool]], own_id: int | None = None
) -> str | None:
    """The problem when ``name`` is already used by another stakeholder, else None.

    Names are compared trimmed, with inner spaces collapsed and case-folded, and a retired
    record counts (the hint says to restore it), so the map never shows one organisation twice.
    The service also hands it to the store, which runs it again inside its write transaction
    against the committed rows (two people saving the same name at once).
    """
    if not isinstance(name, str) or not name.strip():
        return None
    key = normalise_name(name)
    for other_id, (other_name, other_retired) in existing.items():
        if other_id != own_id and normalise_name(other_name) == key:
            hint = " (retired: restore it instead)" if other_retired else ""
            tidy = " ".join(name.split())
            return f"Name {tidy!r} is already used by {other_name!r}{hint}."
    return None


#: The free-text fields of each record, and those that may hold several lines.
STAKEHOLDER_TEXT = ("name", "owner", "next_step")
EVENT_TEXT = ("title", "audience", "outcome", "actions")
MULTILINE_TEXT = frozenset({"next_step", "outcome", "actions"})


def _control_problems(raw: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Hidden control characters in a record's text, refused by the one rule
    (:mod:`nlf_planner.textcheck`), each naming the field as the form does."""
    values = {FIELD_LABELS.get(f, f): raw.get(f) for f in fields}
    multiline = {FIELD_LABELS.get(f, f) for f in MULTILINE_TEXT}
    return textcheck.problems(values, multiline=multiline)


def validate_stakeholder(
    data: Mapping[str, Any] | Stakeholder,
    *,
    existing: Mapping[int, tuple[str, bool]] | None = None,
    codes: ReferenceCodes | None = None,
    today: date | None = None,
) -> Stakeholder:
    """Check one stakeholder before it is written; raise with every problem at once.

    ``existing`` maps stakeholder id -> (name, retired) for everyone already stored, so a
    duplicate name (case-insensitive, trimmed) is caught, including a retired one.
    """
    codes = codes or default_reference()
    raw = data.model_dump() if isinstance(data, Stakeholder) else dict(data)
    subject = " ".join(textcheck.pattern().sub("", str(raw.get("name") or "")).split())
    subject = subject or "New stakeholder"
    problems: list[str] = _control_problems(raw, STAKEHOLDER_TEXT)
    try:
        record = _parse(Stakeholder, raw, subject)
    except EngagementValidationError as exc:
        problems.extend(exc.problems)
        record = None
    region = _blank_to_none(raw.get("region_code"))
    if region is not None and region not in codes.regions:
        problems.append(
            f"Region {region!r} is not an NHS England region code "
            f"(one of {', '.join(codes.regions)}), or leave it blank for national."
        )
    clash = duplicate_name_problem(raw.get("name"), existing or {}, raw.get("stakeholder_id"))
    if clash:
        problems.append(clash)
    last = record.last_contact if record else _date_or_none(raw.get("last_contact"))
    if last is not None and last > (today or date.today()):
        problems.append("Last contact cannot be in the future.")
    if problems:
        raise EngagementValidationError(problems, subject)
    assert record is not None
    return record


def validate_event(
    data: Mapping[str, Any] | EngagementEvent,
    *,
    known_stakeholders: Iterable[int] | None = None,
    codes: ReferenceCodes | None = None,
) -> EngagementEvent:
    """Check one event (and its links) before it is written; raise with every problem."""
    codes = codes or default_reference()
    raw = data.model_dump() if isinstance(data, EngagementEvent) else dict(data)
    subject = textcheck.pattern().sub("", str(raw.get("title") or "")).strip() or "New event"
    problems: list[str] = _control_problems(raw, EVENT_TEXT)
    try:
        record = _parse(EngagementEvent, raw, subject)
    except EngagementValidationError as exc:
        problems.extend(exc.problems)
        record = None
    region = _blank_to_none(raw.get("region_code"))
    if region is not None and region not in codes.regions:
        problems.append(
            f"Region {region!r} is not an NHS England region code; leave it blank for national."
        )
    if record is not None:
        unknown = [a for a in record.priority_areas if a not in codes.areas]
        if unknown:
            problems.append(
                f"Priority areas {', '.join(unknown)} are not known (use {', '.join(codes.areas)})."
            )
        if known_stakeholders is not None:
            known = set(known_stakeholders)
            missing = [str(s) for s in record.stakeholder_ids if s not in known]
            if missing:
                problems.append(f"Stakeholders {', '.join(missing)} do not exist.")
    if problems:
        raise EngagementValidationError(problems, subject)
    assert record is not None
    return record


EDITABLE_STAKEHOLDER_FIELDS: frozenset[str] = frozenset(Stakeholder.model_fields) - {
    "stakeholder_id",
    "seeded",
}
EDITABLE_EVENT_FIELDS: frozenset[str] = frozenset(EngagementEvent.model_fields) - {
    "event_id",
    "seeded",
}


def changed_fields(old: BaseModel, new: BaseModel, editable: frozenset[str]) -> list[str]:
    """The editable fields whose values differ between two versions of a record, in the
    record's own field order: what one person's save changed."""
    return [
        f for f in type(old).model_fields if f in editable and getattr(old, f) != getattr(new, f)
    ]


def rebase_changes(
    seen: BaseModel, mine: BaseModel, current: BaseModel, editable: frozenset[str]
) -> dict[str, Any]:
    """Someone saved ``current`` after this person opened ``seen`` and edited it into
    ``mine``: the record with only the fields this person changed applied on top of the
    current one (theirs kept wherever this person left a field alone)."""
    return {
        **current.model_dump(),
        **{f: getattr(mine, f) for f in changed_fields(seen, mine, editable)},
    }


def merge_changes(
    before: BaseModel, changes: Mapping[str, Any], editable: frozenset[str]
) -> dict[str, Any]:
    """The record's fields with ``changes`` applied, ready to validate again.

    Only ``editable`` fields may change: ids and the ``seeded`` flag say where a record came
    from, so an edit can never rewrite them.
    """
    unknown = sorted(set(changes) - editable)
    if unknown:
        raise EngagementValidationError([f"Unknown fields: {', '.join(unknown)}."])
    return {**before.model_dump(), **dict(changes)}


def check_retire_reason(reason: str | None) -> str:
    """The reason for retiring a stakeholder, tidied; refused when blank.

    Retiring hides someone from the map, so the log must say why (merged, closed, left).
    """
    tidy = " ".join(str(reason or "").split())
    if not tidy:
        raise EngagementValidationError(["Reason: give a reason for retiring."])
    refused = textcheck.problems({"Reason": tidy})
    if refused:
        raise EngagementValidationError(refused)
    return tidy


def check_contact(event_id: int | None, stakeholder_ids: Iterable[int]) -> list[int]:
    """The stakeholders to add to an event's log; refused (every problem) when either is missing."""
    ids = list(dict.fromkeys(int(s) for s in stakeholder_ids))
    problems = []
    if event_id is None:
        problems.append("Event is required: choose an event.")
    if not ids:
        problems.append("Stakeholders: choose at least one stakeholder who took part.")
    if problems:
        raise EngagementValidationError(problems)
    return ids


# --- date windows ----------------------------------------------------------------------------

#: The 2016 framework engagement: from the first intelligence gathering to the launch.
ENGAGEMENT_2016: tuple[date, date] = (date(2016, 4, 1), date(2017, 1, 31))

EVENT_WINDOWS: dict[str, str] = {
    "all": "All dates",
    "2016": "2016 framework engagement (Apr 2016 – Jan 2017)",
    "recent": "Last 12 months and next 6 months",
}
COVERAGE_PERIODS: dict[str, str] = {
    "all": "All time",
    "2016": "2016 framework engagement (Apr 2016 – Jan 2017)",
    "3y": "Last 3 years",
    "12m": "Last 12 months",
}

Span = tuple[date | None, date | None]


def event_window(key: str | None, today: date) -> Span:
    """(since, until) for an events-timeline window; unknown keys show all dates.

    "Recent" looks six months ahead too, because planned events are what a lead prepares for.
    """
    return {
        "2016": ENGAGEMENT_2016,
        "recent": (today - timedelta(days=365), today + timedelta(days=183)),
    }.get(key or "all", (None, None))


def coverage_period(key: str | None, today: date) -> Span:
    """(since, until) for a coverage period; unknown keys cover all time.

    Coverage looks back only: planned events are not engagement that has happened.
    """
    return {
        "2016": ENGAGEMENT_2016,
        "3y": (today - timedelta(days=3 * 365), today),
        "12m": (today - timedelta(days=365), today),
    }.get(key or "all", (None, None))


# --- analysis ------------------------------------------------------------------------------


def add_quadrants(stakeholders: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with a ``quadrant`` column (interest and influence columns required)."""
    out = stakeholders.copy()
    out["quadrant"] = [
        quadrant(int(i), int(f)) for i, f in zip(out["interest"], out["influence"], strict=True)
    ]
    return out


def quadrant_counts(stakeholders: pd.DataFrame) -> dict[str, int]:
    """How many stakeholders sit in each quadrant (every quadrant present, zero if empty)."""
    frame = stakeholders if "quadrant" in stakeholders else add_quadrants(stakeholders)
    counts = frame["quadrant"].value_counts().to_dict()
    return {q: int(counts.get(q, 0)) for q in QUADRANTS}


def coverage_counts(
    event_areas: pd.DataFrame,
    codes: ReferenceCodes | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """Events per priority area × region, every cell present (zeros show the gaps).

    ``event_areas`` has one row per (event, priority area) with ``event_id``, ``event_date``,
    ``priority_area`` and ``region_code`` (blank = national), and may have ``end_date``. Each
    event counts once per cell. An event counts in a window if it overlaps it (a phase that
    started earlier and is still running counts). Rows are area codes in framework order;
    columns are region codes then ``NATIONAL``.
    """
    codes = codes or default_reference()
    columns = [*codes.regions, NATIONAL]
    frame = event_areas.copy()
    start = pd.to_datetime(frame["event_date"]).dt.date
    end = pd.to_datetime(frame["end_date"]).dt.date if "end_date" in frame else start
    end = [
        e if isinstance(e, date) and not pd.isna(e) else s for s, e in zip(start, end, strict=True)
    ]
    keep = [
        (since is None or e >= since) and (until is None or s <= until)
        for s, e in zip(start, end, strict=True)
    ]
    frame = frame.loc[pd.Series(keep, index=frame.index, dtype=bool)]
    frame = frame.assign(
        region=frame["region_code"].map(lambda r: r if r in codes.regions else NATIONAL)
    )
    frame = frame[frame["priority_area"].isin(list(codes.areas))]
    frame = frame.drop_duplicates(["event_id", "priority_area", "region"])
    table = pd.crosstab(frame["priority_area"], frame["region"]) if len(frame) else None
    out = pd.DataFrame(0, index=list(codes.areas), columns=columns, dtype="int64")
    if table is not None:
        out.loc[table.index, table.columns] = table.to_numpy()
    out.index.name = "priority_area"
    out.columns.name = "region"
    return out


def coverage_long(matrix: pd.DataFrame, codes: ReferenceCodes | None = None) -> pd.DataFrame:
    """The coverage matrix as a tidy table with names, for downloads and text summaries."""
    codes = codes or default_reference()
    long = matrix.reset_index().melt(
        id_vars="priority_area", var_name="region", value_name="events"
    )
    long["priority_area_name"] = long["priority_area"].map(dict(codes.areas))
    long["region_name"] = long["region"].map({**dict(codes.regions), NATIONAL: NATIONAL_LABEL})
    return long[["priority_area", "priority_area_name", "region", "region_name", "events"]]


def coverage_gaps(matrix: pd.DataFrame, minimum: int = 1) -> pd.DataFrame:
    """Cells with fewer than ``minimum`` events: where engagement has been too thin."""
    long = matrix.reset_index().melt(
        id_vars="priority_area", var_name="region", value_name="events"
    )
    return long[long["events"] < minimum].reset_index(drop=True)


def contact_date(event_date: date, end_date: date | None, as_of: date) -> date | None:
    """When an event counts as contact: its day, or the end of a phase (capped at ``as_of``).

    Events still in the future are not contact yet.
    """
    if event_date > as_of:
        return None
    if end_date is None:
        return event_date
    return min(end_date, as_of)


def latest_event_contacts(log: pd.DataFrame, as_of: date) -> dict[int, date]:
    """Stakeholder id -> the latest contact date (:func:`contact_date`) among its linked
    events; stakeholders without a past event are left out.

    ``log`` has one row per (event, stakeholder) link with ``stakeholder_id``,
    ``event_date`` and ``end_date`` (blank for a one-day event).
    """
    latest: dict[int, date] = {}
    for sid, start, end in zip(
        log["stakeholder_id"], log["event_date"], log["end_date"], strict=True
    ):
        end_d = None if pd.isna(end) else pd.Timestamp(end).date()
        d = contact_date(pd.Timestamp(start).date(), end_d, as_of)
        if d is not None and (int(sid) not in latest or d > latest[int(sid)]):
            latest[int(sid)] = d
    return latest


def add_latest_contact(stakeholders: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Copy with ``latest_contact`` (the later of the entered ``last_contact`` and the latest
    linked event ``last_event``) and ``days_since_contact`` (blank when never contacted)."""
    as_of = as_of or date.today()
    frame = stakeholders.copy()
    entered = pd.to_datetime(frame["last_contact"]).dt.date
    linked = pd.to_datetime(frame["last_event"]).dt.date
    latest = [
        max((d for d in pair if isinstance(d, date) and not pd.isna(d)), default=None)
        for pair in zip(entered, linked, strict=True)
    ]
    frame["latest_contact"] = pd.Series(latest, index=frame.index, dtype="object")
    frame["days_since_contact"] = pd.array(
        [(as_of - d).days if d is not None else None for d in latest], dtype="Int64"
    )
    return frame


def not_contacted(stakeholders: pd.DataFrame, days: int, as_of: date | None = None) -> pd.DataFrame:
    """Active stakeholders whose latest contact is more than ``days`` ago (or never).

    ``stakeholders`` needs ``last_contact`` (entered) and ``last_event`` (latest linked event,
    as a contact date); the later of the two counts. Longest-silent first, never-contacted on top.
    """
    if days < 0:
        raise ValueError("The number of days must be zero or more.")
    as_of = as_of or date.today()
    frame = stakeholders
    if "retired" in frame:
        frame = frame[~frame["retired"].astype(bool)]
    frame = add_latest_contact(frame, as_of)
    cutoff = as_of - timedelta(days=days)
    keep = [d is None or d < cutoff for d in frame["latest_contact"]]
    out = frame[keep].copy()
    out["_never"] = out["latest_contact"].isna()
    out = out.sort_values(["_never", "days_since_contact"], ascending=[False, False])
    return out.drop(columns="_never").reset_index(drop=True)

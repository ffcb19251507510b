"""The engagement programme's use cases: stakeholders and their map, events, the engagement
log, coverage of priority areas by region, who has gone quiet, and the roadmap's events row.

One home for each: the Engagement page, the Plan page's roadmap and the command line call
these, never the store. Every function takes ``(db, actor, …)`` when it needs a person. Every
write checks the acting person first (editor role), then the domain rules in
``nlf_planner.engagement`` (every problem at once, naming the field), then asks the store to
write the rows and their audit row in one transaction, handing it the duplicate-name rule to
re-run on the names its transaction sees. Reads take the stored rows from the store and add
what the domain works out (labels, region names, quadrants, latest contact, coverage). Store
failures come back as the readable errors of ``services.errors``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from pydantic import BaseModel

from nlf_planner import engagement as rules
from nlf_planner.engagement import (
    EVENT_TYPES,
    GROUPS,
    NATIONAL_LABEL,
    EngagementEvent,
    EngagementValidationError,
    ReferenceCodes,
    Stakeholder,
)
from nlf_planner.periods import day_label
from nlf_planner.services.access import region_scope, require, require_scope
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.cache import per_data_version
from nlf_planner.services.errors import (
    NotFound,
    ReadOnly,
    StaleVersion,
    Unavailable,
    ValidationFailed,
)
from nlf_planner.store import Database, ReadOnlyError, StoreError
from nlf_planner.store import engagement as store

#: Columns of the stakeholder download: contact details, so only editors may take them away.
STAKEHOLDER_EXPORT_COLUMNS: tuple[str, ...] = (
    "name", "group_label", "region_name", "interest", "influence", "quadrant", "owner",
    "latest_contact", "next_step", "events", "seeded", "retired",
)  # fmt: skip
NOT_CONTACTED_COLUMNS: tuple[str, ...] = (
    "name", "group_label", "region_name", "quadrant", "owner", "latest_contact",
    "days_since_contact", "next_step",
)  # fmt: skip


@dataclass(frozen=True)
class StakeholderChoices:
    """Who the forms can pick: every stakeholder by id, which are retired, and the active."""

    names: dict[int, str]
    retired: frozenset[int]

    @property
    def active(self) -> dict[int, str]:
        return {i: n for i, n in self.names.items() if i not in self.retired}


# --- errors --------------------------------------------------------------------------------


def _invalid(exc: EngagementValidationError) -> ValidationFailed:
    return ValidationFailed(f"Not saved. {exc}", exc.problems)


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn the domain's and the store's exceptions into readable service errors."""
    try:
        yield
    except EngagementValidationError as exc:
        raise _invalid(exc) from None
    except store.RefusedRecordError as exc:  # a duplicate name saved meanwhile, in the rule's words
        raise ValidationFailed(f"Not saved. {exc}", exc.problems) from None
    except store.NotFoundError as exc:
        raise NotFound(f"{exc} It may have been removed; reload the page.") from None
    except store.ChangedElsewhereError as exc:
        raise StaleVersion(str(exc)) from None
    except ReadOnlyError as exc:
        raise ReadOnly(str(exc)) from None
    except StoreError as exc:
        raise Unavailable(f"The change could not be saved: {exc}") from None


def _shown(value: Any) -> str:
    """A field's value in a message: short, and "empty" for nothing."""
    if value in (None, "", []):
        return "empty"
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    text = str(value)
    return repr(text if len(text) <= 60 else text[:59] + "…")


def _when(value: object) -> str:
    return f" at {value:%H:%M} on {day_label(value)}" if hasattr(value, "strftime") else ""


def _stale(
    subject: str,
    seen: BaseModel,
    mine: BaseModel,
    exc: store.ChangedElsewhereError,
    editable: frozenset[str],
) -> StaleVersion:
    """The refusal of a save over someone else's: what they changed (each field and its new
    value), who and when, what this person changed, and how to go on. ``current_version``
    carries the stored record, so the page can apply this person's fields on top of it."""
    labels = {f: label.lower() for f, label in rules.FIELD_LABELS.items()}
    labels["retired"] = "retired"
    stored = exc.stored
    theirs = rules.changed_fields(seen, stored, editable) if stored is not None else []
    own = rules.changed_fields(seen, mine, editable)
    who = exc.changed_by or "someone else"
    changed = "; ".join(f"{labels.get(f, f)} is now {_shown(getattr(stored, f))}" for f in theirs)
    both = [labels.get(f, f) for f in own if f in theirs]
    message = (
        f"Not saved: {who} changed {subject}{_when(exc.changed_at)} while you were editing"
        + (f" ({changed})" if changed else "")
        + ". Your edits are still on screen and nothing was written"
        + (f" (you changed: {', '.join(labels.get(f, f) for f in own)})" if own else "")
        + ". Save again to apply only the fields you changed on top of theirs"
        + (f"; you both changed {', '.join(both)}, and yours will replace theirs" if both else "")
        + "."
    )
    return StaleVersion(message, current_version=stored)


def _editor(actor: Actor | None, action: str) -> str:
    """The name the audit log records, once the actor may change engagement records."""
    return require(actor, Role.EDITOR, action).display_name


def _in_scope(db: Database, actor: Actor | None, action: str, *region_codes: str | None) -> None:
    """Refuse an editor with a region scope a record outside it: each of ``region_codes`` (the
    record as it was and as it will be) must be their region; None is a national record."""
    require_scope(db, actor, Role.EDITOR, action, region_codes)


def _scoped_rows(actor: Actor, frame: pd.DataFrame) -> pd.DataFrame:
    """A download's rows narrowed to the actor's region scope (all rows without one)."""
    scope = region_scope(actor)
    if scope is None or "region_code" not in frame.columns:
        return frame
    return frame[frame["region_code"] == scope]


# --- reads ---------------------------------------------------------------------------------


@per_data_version(maxsize=4)
def reference_codes(db: Database) -> ReferenceCodes:
    """Region and priority-area codes and names, in the order the charts and forms use.

    The shipped lists stand in for a reference table that has not been loaded yet, so the
    forms and the coverage grid are never empty.
    """
    stored = store.reference_codes(db)
    if stored.regions and stored.areas:
        return stored
    shipped = rules.default_reference()
    return ReferenceCodes(
        regions=stored.regions or shipped.regions, areas=stored.areas or shipped.areas
    )


def _region_names(frame: pd.DataFrame, codes: ReferenceCodes) -> pd.Series:
    return frame["region_code"].map(dict(codes.regions)).fillna(NATIONAL_LABEL)


def stakeholders(
    db: Database,
    *,
    include_retired: bool = False,
    groups: Sequence[str] | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Stakeholders with labels, quadrant, number of events and the latest contact.

    ``last_event`` is the latest linked event as contact on ``as_of`` (today when not given);
    ``latest_contact`` the later of it and the date entered. Worked out once per data version
    and arguments (the same for everyone: who may see contact details is decided by the
    exports, outside the cache); each caller gets its own copy.
    """
    chosen = tuple(sorted(groups)) if groups else None
    return _stakeholders(db, bool(include_retired), chosen, as_of or date.today()).copy()


@per_data_version(maxsize=16)
def _stakeholders(
    db: Database, include_retired: bool, groups: tuple[str, ...] | None, as_of: date
) -> pd.DataFrame:
    people = store.load_stakeholders(db, include_retired=include_retired, groups=groups)
    people["group_label"] = people["group"].map(GROUPS)
    people["region_name"] = _region_names(people, reference_codes(db))
    contacts = rules.latest_event_contacts(_engagement_log(db), as_of)
    people["last_event"] = people["stakeholder_id"].map(contacts)
    people = rules.add_latest_contact(people, as_of)
    if not len(people):
        return people.assign(quadrant=pd.Series(dtype="object"))
    return rules.add_quadrants(people)


def active(people: pd.DataFrame) -> pd.DataFrame:
    """The stakeholders the map shows: retired ones are kept in the lists, not on the map."""
    return people[~people["retired"].astype(bool)] if len(people) else people


@per_data_version(maxsize=4)
def stakeholder_choices(db: Database) -> StakeholderChoices:
    """Everyone the edit, event and log forms can pick, retired ones marked."""
    existing = store.existing_stakeholders(db)
    ordered = sorted(existing.items(), key=lambda item: item[1][0].casefold())
    return StakeholderChoices(
        names={i: name for i, (name, _) in ordered},
        retired=frozenset(i for i, (_, retired) in existing.items() if retired),
    )


def stakeholder(db: Database, stakeholder_id: int) -> Stakeholder:
    """One stakeholder as stored; :class:`NotFound` when it does not exist."""
    with _refusals():
        return store.stakeholder(db, stakeholder_id)


def stakeholder_history(db: Database, stakeholder_id: int) -> pd.DataFrame:
    """Every change to one stakeholder, newest first (who, what, why, before and after)."""
    return store.stakeholder_history(db, stakeholder_id)


def events(
    db: Database,
    *,
    since: date | None = None,
    until: date | None = None,
    types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Events overlapping the window, with their stakeholders and priority areas, by date
    (read once per data version and window; each caller gets its own copy)."""
    chosen = tuple(sorted(types)) if types else None
    return _events(db, since, until, chosen).copy()


@per_data_version(maxsize=16)
def _events(
    db: Database, since: date | None, until: date | None, types: tuple[str, ...] | None
) -> pd.DataFrame:
    found = store.load_events(db, since=since, until=until, types=types)
    found["event_type_label"] = found["event_type"].map(EVENT_TYPES)
    found["region_name"] = _region_names(found, reference_codes(db))
    return found


def event(db: Database, event_id: int) -> EngagementEvent:
    """One event with its links; :class:`NotFound` when it does not exist."""
    with _refusals():
        return store.event(db, event_id)


def engagement_log(db: Database, *, stakeholder_id: int | None = None) -> pd.DataFrame:
    """Who took part in which event, newest first; one stakeholder's rows when given."""
    log = _engagement_log(db)
    if stakeholder_id is None:
        return log.copy()
    return log[log["stakeholder_id"] == stakeholder_id].reset_index(drop=True)


@per_data_version(maxsize=4)
def _engagement_log(db: Database) -> pd.DataFrame:
    log = store.load_engagement_log(db)
    log["event_type_label"] = log["event_type"].map(EVENT_TYPES)
    log["group_label"] = log["group"].map(GROUPS)
    return log


def coverage(db: Database, *, since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """Events per priority area × region in the window, every cell present (zeros are gaps)."""
    return _coverage(db, since, until).copy()


@per_data_version(maxsize=8)
def _coverage(db: Database, since: date | None, until: date | None) -> pd.DataFrame:
    return rules.coverage_counts(
        store.load_event_areas(db), reference_codes(db), since=since, until=until
    )


def not_contacted(db: Database, days: int, *, as_of: date | None = None) -> pd.DataFrame:
    """Active stakeholders with no contact for more than ``days`` days, longest first."""
    try:
        return _not_contacted(db, int(days), as_of or date.today()).copy()
    except ValueError as exc:
        raise ValidationFailed(str(exc), [str(exc)]) from None


@per_data_version(maxsize=8)
def _not_contacted(db: Database, days: int, as_of: date) -> pd.DataFrame:
    return rules.not_contacted(_stakeholders(db, False, None, as_of), days, as_of)


def events_for_roadmap(
    db: Database, *, since: date | None = None, until: date | None = None
) -> pd.DataFrame:
    """The Plan roadmap's events row: event_id, event_date, end_date, title, event_type."""
    return store.events_for_roadmap(db, since=since, until=until)


# --- sensitive reads -----------------------------------------------------------------------


def stakeholder_export(
    db: Database,
    actor: Actor | None,
    *,
    groups: Sequence[str] | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The map's stakeholders with owner, last contact and next step, for a download.

    Contact details leave the app in a download, so it needs an editor; viewers see the
    same people on the map and in the lists.
    """
    who = require(actor, Role.EDITOR, "download stakeholder details")
    people = _scoped_rows(who, active(stakeholders(db, groups=groups, as_of=as_of)))
    return people.reindex(columns=list(STAKEHOLDER_EXPORT_COLUMNS)).reset_index(drop=True)


def not_contacted_export(
    db: Database, actor: Actor | None, days: int, *, as_of: date | None = None
) -> pd.DataFrame:
    """The not-contacted list with owners and next steps, for a download (editors only)."""
    who = require(actor, Role.EDITOR, "download stakeholder details")
    quiet = _scoped_rows(who, not_contacted(db, days, as_of=as_of))
    return quiet.reindex(columns=list(NOT_CONTACTED_COLUMNS)).reset_index(drop=True)


# --- stakeholder writes --------------------------------------------------------------------


def add_stakeholder(
    db: Database,
    actor: Actor | None,
    data: Mapping[str, Any] | Stakeholder,
    *,
    reason: str | None = None,
    today: date | None = None,
) -> Stakeholder:
    """Check and add one stakeholder; returns it with its new id."""
    who = _editor(actor, "add a stakeholder")
    raw = data.model_dump() if isinstance(data, Stakeholder) else dict(data)
    raw.pop("stakeholder_id", None)
    with _refusals():
        checked = rules.validate_stakeholder(
            raw,
            existing=store.existing_stakeholders(db),
            codes=reference_codes(db),
            today=today,
        )
        _in_scope(db, actor, "add a stakeholder", checked.region_code)
        return store.add_stakeholder(
            db, checked, actor=who, reason=reason, name_problem=rules.duplicate_name_problem
        )


def _as_seen(db: Database, stakeholder_id: int, seen: Stakeholder | None) -> Stakeholder:
    """The record the change starts from: the one the person saw, else the stored one."""
    if seen is None:
        return store.stakeholder(db, stakeholder_id)
    if seen.stakeholder_id != stakeholder_id:
        raise ValueError(
            f"The record seen is stakeholder {seen.stakeholder_id}, not {stakeholder_id}."
        )
    return seen


def edit_stakeholder(
    db: Database,
    actor: Actor | None,
    stakeholder_id: int,
    changes: Mapping[str, Any],
    *,
    seen: Stakeholder | None = None,
    onto: Stakeholder | None = None,
    reason: str | None = None,
    today: date | None = None,
) -> Stakeholder:
    """Apply ``changes`` (field -> value) to one stakeholder; returns the saved record
    (the stored one, unchanged, when nothing differs).

    ``seen`` is the record as the person saw it when they began editing (the page holds
    it). When someone else has saved the stakeholder since, the edit is refused with
    :class:`StaleVersion` (saying what they changed, who and when; its ``current_version``
    is the stored record) and nothing is written, so their change is never silently
    undone. Saving again with ``onto`` = that stored record applies only the fields this
    person changed (from ``seen``) on top of it. Without ``seen`` the change starts from
    the record as stored now.
    """
    who = _editor(actor, "edit a stakeholder")
    editable = rules.EDITABLE_STAKEHOLDER_FIELDS
    with _refusals():
        before = _as_seen(db, stakeholder_id, seen)
        existing = store.existing_stakeholders(db)
        codes = reference_codes(db)
        merged = rules.merge_changes(before, changes, editable)
        after = rules.validate_stakeholder(merged, existing=existing, codes=codes, today=today)
        if onto is not None:  # the person saw the other change and saves theirs on top
            _as_seen(db, stakeholder_id, onto)  # the same record
            rebased = rules.rebase_changes(before, after, onto, editable)
            before = onto
            after = rules.validate_stakeholder(rebased, existing=existing, codes=codes, today=today)
        _in_scope(db, actor, "edit a stakeholder", before.region_code, after.region_code)
        try:
            return store.update_stakeholder(
                db,
                before,
                after,
                actor=who,
                reason=reason,
                name_problem=rules.duplicate_name_problem,
            )
        except store.ChangedElsewhereError as exc:
            raise _stale(repr(before.name), before, after, exc, editable) from None


def retire_stakeholder(
    db: Database, actor: Actor | None, stakeholder_id: int, *, reason: str | None
) -> Stakeholder:
    """Retire (soft-delete) a stakeholder with a reason: off the map, kept in log and history."""
    who = _editor(actor, "retire a stakeholder")
    with _refusals():
        why = rules.check_retire_reason(reason)
        before = store.stakeholder(db, stakeholder_id)
        _in_scope(db, actor, "retire a stakeholder", before.region_code)
        after = before.model_copy(update={"retired": True})
        return store.update_stakeholder(
            db,
            before,
            after,
            actor=who,
            reason=why,
            action="retire",
            name_problem=rules.duplicate_name_problem,
        )


def restore_stakeholder(
    db: Database, actor: Actor | None, stakeholder_id: int, *, reason: str | None = None
) -> Stakeholder:
    """Bring a retired stakeholder back onto the map (the reason is optional)."""
    who = _editor(actor, "restore a stakeholder")
    with _refusals():
        before = store.stakeholder(db, stakeholder_id)
        _in_scope(db, actor, "restore a stakeholder", before.region_code)
        after = before.model_copy(update={"retired": False})
        return store.update_stakeholder(
            db,
            before,
            after,
            actor=who,
            reason=reason or None,
            action="restore",
            name_problem=rules.duplicate_name_problem,
        )


# --- event writes --------------------------------------------------------------------------


def _check_event(db: Database, data: Mapping[str, Any] | EngagementEvent) -> EngagementEvent:
    return rules.validate_event(
        data, known_stakeholders=store.known_stakeholder_ids(db), codes=reference_codes(db)
    )


def add_event(
    db: Database,
    actor: Actor | None,
    data: Mapping[str, Any] | EngagementEvent,
    *,
    reason: str | None = None,
) -> EngagementEvent:
    """Check and add one event with its stakeholders and priority areas; returns it with id."""
    who = _editor(actor, "add an event")
    raw = data.model_dump() if isinstance(data, EngagementEvent) else dict(data)
    raw.pop("event_id", None)
    with _refusals():
        checked = _check_event(db, raw)
        _in_scope(db, actor, "add an event", checked.region_code)
        return store.add_event(db, checked, actor=who, reason=reason)


def edit_event(
    db: Database,
    actor: Actor | None,
    event_id: int,
    changes: Mapping[str, Any],
    *,
    seen: EngagementEvent | None = None,
    onto: EngagementEvent | None = None,
    reason: str | None = None,
) -> EngagementEvent:
    """Apply ``changes`` to one event; ``stakeholder_ids``/``priority_areas`` replace the links.

    ``seen`` and ``onto`` as for :func:`edit_stakeholder`: a save by someone else since
    ``seen`` gives :class:`StaleVersion` (what changed, who, when) and writes nothing; saving
    again ``onto`` the stored event applies only this person's fields on top of it.
    """
    who = _editor(actor, "edit an event")
    editable = rules.EDITABLE_EVENT_FIELDS
    with _refusals():
        for record in (seen, onto):
            if record is not None and record.event_id != event_id:
                raise ValueError(f"The record seen is event {record.event_id}, not {event_id}.")
        before = seen if seen is not None else store.event(db, event_id)
        after = _check_event(db, rules.merge_changes(before, changes, editable))
        if onto is not None:
            after = _check_event(db, rules.rebase_changes(before, after, onto, editable))
            before = onto
        _in_scope(db, actor, "edit an event", before.region_code, after.region_code)
        try:
            return store.update_event(db, before, after, actor=who, reason=reason)
        except store.ChangedElsewhereError as exc:
            raise _stale(f"the event {before.title!r}", before, after, exc, editable) from None


def log_contact(
    db: Database,
    actor: Actor | None,
    event_id: int | None,
    stakeholder_ids: Iterable[int],
    *,
    reason: str | None = None,
) -> EngagementEvent:
    """Add stakeholders to an event's log, keeping those already linked."""
    who = _editor(actor, "add to the engagement log")
    with _refusals():
        adding = rules.check_contact(event_id, stakeholder_ids)
        assert event_id is not None  # check_contact refuses a missing event
        before = store.event(db, event_id)
        _in_scope(db, actor, "add to the engagement log", before.region_code)
        merged = {**before.model_dump(), "stakeholder_ids": [*before.stakeholder_ids, *adding]}
        return store.update_event(db, before, _check_event(db, merged), actor=who, reason=reason)


def delete_event(
    db: Database, actor: Actor | None, event_id: int, *, reason: str | None = None
) -> None:
    """Remove an event and its links; the audit row keeps the record to re-create it."""
    who = _editor(actor, "delete an event")
    with _refusals():
        if region_scope(actor) is not None:  # the event's region, read just before the delete
            _in_scope(db, actor, "delete an event", store.event(db, event_id).region_code)
        store.delete_event(db, event_id, actor=who, reason=reason)


# --- seeding -------------------------------------------------------------------------------


def check_seed(
    db: Database,
    people: Sequence[Stakeholder],
    seeded_events: Sequence[tuple[EngagementEvent, Sequence[str]]],
) -> tuple[list[Stakeholder], list[tuple[EngagementEvent, list[str]]]]:
    """The seeded records, each checked by the same rules as a typed-in one.

    Names must be unique within the seed and against the file; events link by name, so
    every name an event gives must be one of the seeded stakeholders.
    """
    codes = reference_codes(db)
    existing = dict(store.existing_stakeholders(db))
    checked_people = []
    with _refusals():
        for n, s in enumerate(people):
            checked = rules.validate_stakeholder(s, existing=existing, codes=codes)
            existing[-(n + 1)] = (checked.name, checked.retired)
            checked_people.append(checked)
        seeded_names = {s.name for s in checked_people}
        checked_events = []
        for e, names in seeded_events:
            checked = rules.validate_event(e, codes=codes)
            missing = [n for n in names if n not in seeded_names]
            if missing:
                raise EngagementValidationError(
                    [f"Unknown seeded stakeholders: {missing}"], checked.title
                )
            checked_events.append((checked, list(names)))
    return checked_people, checked_events


def seed(
    db: Database,
    actor: Actor | None,
    people: Sequence[Stakeholder],
    seeded_events: Sequence[tuple[EngagementEvent, Sequence[str]]],
) -> dict[str, int]:
    """Write the seeded programme once (checked first); later calls change nothing."""
    who = require(actor, Role.ADMIN, "seed the engagement programme").display_name
    if store.has_seeded(db):
        return {"stakeholders": 0, "events": 0, "links": 0}
    checked_people, checked_events = check_seed(db, people, seeded_events)
    with _refusals():
        return store.write_seed(
            db,
            checked_people,
            checked_events,
            actor=who,
            name_problem=rules.duplicate_name_problem,
        )

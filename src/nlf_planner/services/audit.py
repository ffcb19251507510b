"""Reading the audit log: who changed what, when and why (Data page, Overview).

People read the log, so every row carries a ``description`` that names what changed
(“scenario ‘Expand programmes by half’, version 1”, “stakeholder ‘NHS Providers’”, “note on
M10 in London”) instead of its internal id (``3cfbdbe2e8a6/v1``), and a row with no id
(the engagement seed, the generated history) says what it covers rather than showing a
blank or NaN. The names come from the row's own before/after record, so a later rename
never rewrites history; measure and geography codes are named from the reference tables.

Every read is kept per data version (``services.cache``): the log changes only when a new
audited change is written, and that moves the version. Callers get their own copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from nlf_planner.geography import ENGLAND_CODE, ENGLAND_NAME
from nlf_planner.services import cache
from nlf_planner.services import reference as reference_service
from nlf_planner.spc import CHART_TYPE_LABEL
from nlf_planner.store import Database
from nlf_planner.store import audit as audit_store

#: The words for each audited entity (the store's entity names are identifiers).
ENTITY_WORDS = {
    "plan_version": "plan version",
    "scenario": "scenario",
    "stakeholder": "stakeholder",
    "engagement_event": "engagement event",
    "engagement": "engagement programme",
    "annotation": "chart note",
    "spc_rebase": "SPC rebase",
    "spc_baseline": "fixed SPC baseline",
    "spc_chart_type": "SPC chart type",
    "peer_group": "peer group",
    "measurements": "measurements",
    "database": "database",
}


def audit_log(
    db: Database,
    *,
    entity: str | None = None,
    who: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """The audit log, newest first, filtered by entity, person and date range, each row
    with its ``description`` (what changed, by name)."""
    return _described_log(db, entity, who, since, until, limit).copy(deep=False)


@cache.per_data_version(maxsize=16)
def _described_log(
    db: Database,
    entity: str | None,
    who: str | None,
    since: date | None,
    until: date | None,
    limit: int,
) -> pd.DataFrame:
    log = audit_store.audit_log(db, entity=entity, actor=who, since=since, until=until, limit=limit)
    return with_descriptions(log, _names(db))


def recent_changes(db: Database, limit: int = 8) -> pd.DataFrame:
    """The latest changes, newest first, for the Overview's 'recent changes' list, each
    with its ``description``."""
    return _described_log(db, None, None, None, None, limit).copy(deep=False)


@dataclass(frozen=True)
class AuditChoices:
    """What the log can be filtered by: every entity and person it records, and the day of
    its first change (where the date filter starts)."""

    entities: list[str]
    actors: list[str]
    first_change: date | None


def filter_choices(db: Database) -> AuditChoices:
    """The Data page's audit filters, from one read of the log (per data version)."""
    entities, actors, first = _filter_values(db)
    return AuditChoices(list(entities), list(actors), first)


@cache.per_data_version(maxsize=4)
def _filter_values(db: Database) -> tuple[tuple[str, ...], tuple[str, ...], date | None]:
    entities, actors, first = audit_store.filter_values(db)
    return tuple(entities), tuple(actors), first


# --------------------------------------------------------------------------- descriptions


def _names(db: Database) -> dict[str, str]:
    """Measure and geography codes → names, for describing notes and rebases."""
    names = {ENGLAND_CODE: ENGLAND_NAME}
    names.update({r.code: r.name for r in reference_service.regions(db)})
    names.update({i.code: i.name for i in reference_service.icbs(db)})
    names.update({m.code: f"{m.code} {m.name}" for m in reference_service.measures(db)})
    return names


def with_descriptions(log: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The log with ``description`` after ``entity``, and ``entity_id`` as text or None
    (never NaN)."""
    out = log.copy()
    ids = out["entity_id"] if "entity_id" in out else pd.Series(None, index=out.index)
    out["entity_id"] = pd.Series([_text(v) for v in ids], index=out.index, dtype=object)
    descriptions = [describe(r, names) for r in out.to_dict("records")]
    at = list(out.columns).index("entity") + 1 if "entity" in out else len(out.columns)
    out.insert(at, "description", descriptions)
    return out


def _text(value: Any) -> str | None:
    """A stored value as text, or None where the database holds nothing (pandas reads a
    missing id as NaN, which would otherwise be printed as 'nan')."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _record(value: Any) -> dict:
    """A before/after JSON column as a dict ({} when empty or unreadable)."""
    if not isinstance(value, str) or not value:
        return {}
    try:
        loaded = json.loads(value)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def describe(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """What one audit row changed, in words a person reads: names, not ids."""
    entity = str(row.get("entity") or "")
    word = ENTITY_WORDS.get(entity, entity.replace("_", " "))
    ident = _text(row.get("entity_id"))
    before, after = _record(row.get("before_json")), _record(row.get("after_json"))
    known = {**before, **after} if row.get("action") != "delete" else {**after, **before}
    if entity == "scenario":
        name = known.get("name")
        version = ident.rsplit("/v", 1)[1] if ident and "/v" in ident else None
        if name:
            return f"{word} ‘{name}’" + (f", version {version}" if version else "")
    elif entity == "plan_version" and ident:
        return f"{word} {ident}"
    elif entity == "stakeholder" and known.get("name"):
        return f"{word} ‘{known['name']}’"
    elif entity == "engagement_event" and known.get("title"):
        when = f" ({known['event_date']})" if known.get("event_date") else ""
        return f"{word} ‘{known['title']}’{when}"
    elif entity == "engagement" and "stakeholders" in after:
        return f"{word}: {after['stakeholders']} stakeholders, {after.get('events', 0)} events"
    elif entity in ("annotation", "spc_rebase", "spc_baseline"):
        return f"{word} {_chart(known, names)}"
    elif entity == "spc_chart_type" and known.get("measure_code"):
        measure = known["measure_code"]
        chart = known.get("chart_type")
        kind = f": {CHART_TYPE_LABEL.get(chart, chart)}" if chart else ""
        return f"{word} of {names.get(measure, measure)}{kind}"
    elif entity == "peer_group" and known.get("name"):
        version = f", version {known['version']}" if known.get("version") else ""
        return f"{word} ‘{known['name']}’{version}"
    elif entity == "measurements" and not ident and "rows" in after:
        return f"illustrative {word} ({after['rows']:,} rows)"
    elif entity == "measurements" and ident or entity == "database" and ident:
        return f"{word} from {ident}"
    return f"{word} {ident}" if ident else word


def _chart(known: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """'on M10 Staff trained in improvement, London, from 2024-04-01' for a note or rebase."""
    measure, geo = known.get("measure_code"), known.get("geo_code")
    where = names.get(measure, measure) if measure else "every measure"
    place = names.get(geo, geo) if geo else "every area"
    when = f", {known['period']}" if known.get("period") else ""
    return f"on {where}, {place}{when}"

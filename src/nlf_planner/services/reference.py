"""Reading the framework content and the geography (conditions, priority areas, measures,
regions, ICBs): the lists every page builds its choices from.

Each read is kept per data version (``services.cache``): the content changes only with the
data, and every page asks for it on every run. The records are frozen models; callers get
their own list or dict, so appending to one changes nothing for anyone else.
"""

from __future__ import annotations

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import ICB, Condition, Measure, PriorityArea, Region
from nlf_planner.services import cache
from nlf_planner.store import Database
from nlf_planner.store import reference as reference_store


@cache.per_data_version(maxsize=4)
def _conditions(db: Database) -> tuple[Condition, ...]:
    return tuple(reference_store.conditions(db))


@cache.per_data_version(maxsize=4)
def _priority_areas(db: Database) -> tuple[PriorityArea, ...]:
    return tuple(reference_store.priority_areas(db))


@cache.per_data_version(maxsize=4)
def _measures(db: Database) -> tuple[Measure, ...]:
    return tuple(reference_store.measures(db))


@cache.per_data_version(maxsize=4)
def _regions(db: Database) -> tuple[Region, ...]:
    return tuple(reference_store.regions(db))


@cache.per_data_version(maxsize=32)
def _icbs(db: Database, region_code: str | None) -> tuple[ICB, ...]:
    return tuple(reference_store.icbs(db, region_code))


@cache.per_data_version(maxsize=4)
def _geography_names(db: Database) -> dict[str, str]:
    return reference_store.geography_names(db)


def conditions(db: Database) -> list[Condition]:
    return list(_conditions(db))


def priority_areas(db: Database) -> list[PriorityArea]:
    return list(_priority_areas(db))


def measures(db: Database) -> list[Measure]:
    return list(_measures(db))


def measure(db: Database, code: str) -> Measure | None:
    return next((m for m in _measures(db) if m.code == code), None)


def regions(db: Database) -> list[Region]:
    return list(_regions(db))


def icbs(db: Database, region_code: str | None = None) -> list[ICB]:
    return list(_icbs(db, region_code))


def geography_names(db: Database) -> dict[str, str]:
    """Code → name for England, every region and every ICB."""
    return dict(_geography_names(db))


def region_options(db: Database) -> dict[str, str]:
    """England first, then the 7 regions: the choices of the shared region picker."""
    options = {ENGLAND_CODE: "England (all regions)"}
    options.update({r.code: r.name for r in _regions(db)})
    return options


def region_name(db: Database, code: str) -> str:
    """A geography's name for headings (England, a region or an ICB); the code if unknown."""
    return _geography_names(db).get(code, code)

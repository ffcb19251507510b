"""Reading the framework content and the geography (conditions, priority areas, measures,
regions, ICBs): the lists every page builds its choices from."""

from __future__ import annotations

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.models import ICB, Condition, Measure, PriorityArea, Region
from nlf_planner.store import Database
from nlf_planner.store import reference as reference_store


def conditions(db: Database) -> list[Condition]:
    return reference_store.conditions(db)


def priority_areas(db: Database) -> list[PriorityArea]:
    return reference_store.priority_areas(db)


def measures(db: Database) -> list[Measure]:
    return reference_store.measures(db)


def measure(db: Database, code: str) -> Measure | None:
    return reference_store.measure(db, code)


def regions(db: Database) -> list[Region]:
    return reference_store.regions(db)


def icbs(db: Database, region_code: str | None = None) -> list[ICB]:
    return reference_store.icbs(db, region_code)


def geography_names(db: Database) -> dict[str, str]:
    """Code → name for England, every region and every ICB."""
    return reference_store.geography_names(db)


def region_options(db: Database) -> dict[str, str]:
    """England first, then the 7 regions: the choices of the shared region picker."""
    options = {ENGLAND_CODE: "England (all regions)"}
    options.update({r.code: r.name for r in reference_store.regions(db)})
    return options


def region_name(db: Database, code: str) -> str:
    """A geography's name for headings (England, a region or an ICB); the code if unknown."""
    return geography_names(db).get(code, code)

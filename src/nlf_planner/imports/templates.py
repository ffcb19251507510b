"""Import templates: the data sheet with example rows, the data dictionary, and the code
lists each kind names, so a data manager can fill a file in without leaving the workbook."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from nlf_planner.engagement import EVENT_TYPES, GROUPS
from nlf_planner.exports_tables import template_csv, template_xlsx
from nlf_planner.imports.kinds import ImportKind, Lookup, import_kind
from nlf_planner.models import ICB, Measure, Region
from nlf_planner.periods import label


def reference_sheets(
    kind: str | ImportKind,
    measures: Iterable[Measure],
    regions: Iterable[Region],
    icbs: Iterable[ICB],
    areas: Mapping[str, str],
) -> dict[str, pd.DataFrame]:
    """The code lists a template carries beside its data sheet (Measures, Geography,
    Priority areas, Codes), as the kind's ``lookups`` name them."""
    wanted = (kind if isinstance(kind, ImportKind) else import_kind(kind)).lookups
    regions = list(regions)
    sheets: dict[str, pd.DataFrame] = {}
    if Lookup.MEASURES in wanted:
        sheets["Measures"] = _measures_sheet(measures)
    if Lookup.REGIONS in wanted:
        sheets["Geography"] = _geography_sheet(regions, icbs if Lookup.ICBS in wanted else ())
    if Lookup.PRIORITY_AREAS in wanted:
        sheets["Priority areas"] = pd.DataFrame(
            [{"priority_area": c, "name": n} for c, n in areas.items()]
        )
    codes: list[dict[str, str]] = []
    if Lookup.STAKEHOLDER_GROUPS in wanted:
        codes += [{"list": "group", "value": v} for v in GROUPS.values()]
    if Lookup.EVENT_TYPES in wanted:
        codes += [{"list": "event_type", "value": v} for v in EVENT_TYPES.values()]
    if codes:
        sheets["Codes"] = pd.DataFrame(codes)
    return sheets


def _measures_sheet(measures: Iterable[Measure]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure_code": m.code,
                "name": m.name,
                "priority_area": m.area_code,
                "unit": m.unit,
                "frequency": m.frequency,
                "period_example": label(date(2024, 4, 1), m.frequency) + " = 2024-04-01",
                "polarity": m.polarity,
            }
            for m in measures
        ]
    )


def _geography_sheet(regions: list[Region], icbs: Iterable[ICB]) -> pd.DataFrame:
    region_names = {r.code: r.name for r in regions}
    geo = [
        {"geo_code": r.code, "name": r.name, "level": "region", "region": r.name} for r in regions
    ]
    geo += [
        {
            "geo_code": i.code,
            "name": i.name,
            "level": "ICB",
            "region": region_names.get(i.region_code, ""),
        }
        for i in icbs
    ]
    return pd.DataFrame(geo)


def template_files(
    kind: str | ImportKind, lookups: Mapping[str, pd.DataFrame]
) -> tuple[bytes, bytes]:
    """(XLSX, CSV) templates for one kind of import."""
    spec = kind if isinstance(kind, ImportKind) else import_kind(kind)
    rows = spec.example_rows()
    return template_xlsx(spec.key, spec.columns, rows, lookups), template_csv(spec.columns, rows)

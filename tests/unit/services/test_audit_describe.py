"""The audit log names what each issue-17 change touched, in words, never an id alone."""

from __future__ import annotations

import json

from nlf_planner.services.audit import describe

NAMES = {"M10": "Staff trained in improvement", "E40000003": "London"}


def _row(entity: str, after: dict, action: str = "insert", ident: str = "") -> dict:
    return {"entity": entity, "action": action, "entity_id": ident, "after_json": json.dumps(after)}


def test_a_fixed_baseline_names_its_chart() -> None:
    row = _row("spc_baseline", {"measure_code": "M10", "geo_code": "E40000003"})
    assert describe(row, NAMES) == "fixed SPC baseline on Staff trained in improvement, London"


def test_a_measure_wide_baseline_says_every_area() -> None:
    row = _row("spc_baseline", {"measure_code": "M10", "geo_code": None})
    assert describe(row, NAMES).endswith("Staff trained in improvement, every area")


def test_a_chart_type_change_names_the_measure_and_the_chart() -> None:
    row = _row("spc_chart_type", {"measure_code": "M10", "chart_type": "pp"})
    assert describe(row, NAMES) == "SPC chart type of Staff trained in improvement: Laney p′-chart"


def test_a_peer_group_names_itself_and_its_version() -> None:
    row = _row("peer_group", {"name": "ICSs like ours", "version": 2})
    assert describe(row, NAMES) == "peer group ‘ICSs like ours’, version 2"

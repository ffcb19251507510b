"""Hostile text in every free-text field, then every page and main view: nothing a person typed
becomes Markdown, HTML or a plotly link in anyone's browser (issue 15).

The text goes in through the services, as the forms would send it, and is made by a person
whose own name is hostile (audit rows show it). Then each page is run in AppTest and every
element that Streamlit renders as Markdown (text, captions, alerts, headings, labels, table
cells) and every plotly figure's JSON is searched for the live forms of the text: an image
``![t](…)`` or a link ``<a href…>`` that would make the browser fetch or link outside.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services import plan_editing
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.database import open_store
from tests.apptest_utils import run_page

HOSTILE = (
    'Mallory ![t](http://127.0.0.1:9/track.png) <a href="http://127.0.0.1:9/x">x</a> '
    '=HYPERLINK("x") *b*'
)
#: What the text looks like where it would be live: a Markdown image and an HTML link.
LIVE_IMAGE = "![t](http://127.0.0.1:9"
LIVE_LINK = '<a href="http://127.0.0.1:9'

MALLORY = Actor(
    id="test:mallory",
    display_name=HOSTILE,
    roles=frozenset({Role.ADMIN, Role.EDITOR, Role.DATA_MANAGER}),
    email="mallory@nhs.net",
)
ENGLAND = "E92000001"


def _hostile(text: str = "") -> str:
    return f"{HOSTILE}{text}"


def _write_everything(path: Path) -> dict[str, Any]:
    """Hostile text into every free-text field a person can fill, through the services."""
    db = open_store(path)
    try:
        person = engagement_service.add_stakeholder(
            db,
            MALLORY,
            {
                "name": _hostile(),
                "group": "provider",
                "interest": 5,
                "influence": 5,
                "owner": _hostile(" owner")[:120],
                "next_step": _hostile(" next step"),
                "last_contact": date(2026, 9, 1),
            },
            reason=_hostile(" reason"),
        )
        event = engagement_service.add_event(
            db,
            MALLORY,
            {
                "event_date": date(2026, 9, 15),
                "title": _hostile(" event"),
                "event_type": "workshop",
                "audience": _hostile(" audience"),
                "outcome": _hostile(" outcome"),
                "actions": _hostile(" actions"),
                "stakeholder_ids": [person.stakeholder_id],
                "priority_areas": ["P1"],
            },
            reason=_hostile(" reason"),
        )
        plan = plan_editing.load_plan(db)
        assert plan is not None
        first, *rest = plan.milestones
        edited = plan.model_copy(
            update={
                "milestones": [
                    first.model_copy(
                        update={
                            "title": _hostile(" milestone"),
                            "owner": _hostile(" owner"),
                            "description": _hostile(" description"),
                        }
                    ),
                    *rest,
                ]
            }
        )
        saved_plan = plan_editing.save_draft(
            db,
            MALLORY,
            edited,
            note=_hostile(" plan note"),
            expected_version_id=plan_editing.latest_version_id(db),
        )
        measure = first.measure_code or saved_plan.measure_codes()[0]
        annotation_service.add_note(db, MALLORY, period=date(2025, 4, 1), text=_hostile(" note"))
        annotation_service.add_note(
            db,
            MALLORY,
            period=date(2024, 4, 1),
            text=_hostile(" chart note"),
            measure_code=measure,
            geo_code=ENGLAND,
        )
        annotation_service.add_rebase(
            db,
            MALLORY,
            measure_code=measure,
            geo_code=ENGLAND,
            period=date(2023, 4, 1),
            reason=_hostile(" rebase"),
        )
        base = scenario_service.baseline(db)
        scenario = scenario_service.save(
            db,
            MALLORY,
            name=_hostile()[:120],
            description=_hostile(" rationale"),
            params=base.params,
            draws=200,
            seed=7,
            reason=_hostile(" reason"),
        )
        return {
            "event": event.event_id,
            "stakeholder": person.stakeholder_id,
            "measure": measure,
            "scenario": scenario.scenario_id,
        }
    finally:
        db.close()


@pytest.fixture(scope="module")
def hostile_db(seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("hostile") / "nlf.duckdb"
    shutil.copy(seeded_db_path, path)
    ids = _write_everything(path)
    return path, ids


# --- what the browser would render ---------------------------------------------------------

_MARKDOWN_KINDS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "error",
    "warning",
    "info",
    "success",
    "exception",
    "latex",
)


def _walk(node) -> list:
    out = [node]
    for child in getattr(node, "children", {}).values():
        out.extend(_walk(child))
    return out


def _elements(at: AppTest) -> list:
    return [e for root in (at.main, at.sidebar) for e in _walk(root)]


def _is_live(text: object) -> bool:
    s = str(text)
    return LIVE_IMAGE in s or LIVE_LINK in s


def _figure_strings(spec: object) -> list[str]:
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(spec)
    return found


def live_text(at: AppTest) -> list[str]:
    """Every place the hostile text would be live in the browser, named by element."""
    problems: list[str] = []
    for element in _elements(at):
        kind = getattr(element, "type", "")
        proto = getattr(element, "proto", None)
        if kind in _MARKDOWN_KINDS:
            body = getattr(element, "value", None)
            if body is None and proto is not None:
                body = getattr(proto, "body", "")
            if _is_live(body):
                problems.append(f"{kind}: {str(body)[:160]}")
        label = getattr(element, "label", None)
        if isinstance(label, str) and _is_live(label):  # widget and expander labels are Markdown
            problems.append(f"{kind} label: {label[:160]}")
        if kind in {"radio", "tab"}:
            for option in getattr(element, "options", []) or []:
                if _is_live(option):
                    problems.append(f"{kind} option: {str(option)[:160]}")
        if kind == "metric":
            for part in (element.label, element.value, getattr(element, "delta", "")):
                if _is_live(part):
                    problems.append(f"metric: {str(part)[:160]}")
        if kind == "table":
            frame = element.value
            for cell in pd.Series(frame.astype(str).to_numpy().ravel()):
                if _is_live(cell):
                    problems.append(f"table cell: {cell[:160]}")
            for col in frame.columns:
                if _is_live(col):
                    problems.append(f"table header: {col[:160]}")
        if kind == "plotly_chart" and proto is not None:
            spec = json.loads(proto.spec)
            for text in _figure_strings(spec):
                if "<a href" in text.lower() and "127.0.0.1:9" in text:
                    problems.append(f"plotly: {text[:160]}")
        if proto is not None and hasattr(proto, "html") and kind not in _MARKDOWN_KINDS:
            html_body = getattr(proto, "body", "") or ""
            if LIVE_LINK in html_body or "<img" in html_body and "127.0.0.1:9" in html_body:
                problems.append(f"html: {html_body[:160]}")
    return problems


VIEWS: list[tuple[str, str | None, dict[str, str]]] = [
    ("overview", None, {}),
    ("plan", "plan", {}),
    ("regions-matrix", "regions", {}),
    ("regions-measure", "regions", {"view": "Measure"}),
    ("regions-benchmark", "regions", {"view": "Benchmark"}),
    ("regions-profile", "regions", {"view": "Profile"}),
    *(
        (f"scenarios-{tab}", "scenarios", {"tab": tab})
        for tab in ("Model", "Compare", "Sensitivity", "Goal seek", "Waterfall", "Save and share")
    ),
    *(
        (f"engagement-{tab}", "engagement", {"tab": tab})
        for tab in ("Stakeholders", "Events", "Engagement log", "Coverage")
    ),
    ("present", "present", {}),
    *(
        (f"data-{section}", "data", {"section": section})
        for section in (
            "Import",
            "Export",
            "Data dictionary",
            "Audit log",
            "Backup and restore",
            "People",
        )
    ),
]


SLIDE_COUNT = re.compile(r"Slide \d+ of (\d+)")

#: Views that show the hostile text somewhere (escaped), so the check above is not vacuous.
SHOWN = {
    "overview",
    "plan",
    "regions-measure",
    "scenarios-Save and share",
    "engagement-Stakeholders",
    "engagement-Events",
    "engagement-Engagement log",
    "data-Audit log",
}


def _text_of(element) -> str:
    """All the text an element carries: its message (labels, values, table cells as Arrow
    bytes, figure JSON), whatever its kind."""
    return str(getattr(element, "proto", "") or getattr(element, "label", "") or "")


def shown_text(at: AppTest) -> str:
    return " ".join(_text_of(e) for e in _elements(at))


@pytest.mark.parametrize(("view", "url_path", "query"), VIEWS, ids=[v[0] for v in VIEWS])
def test_no_page_renders_hostile_text_live(view, url_path, query, hostile_db) -> None:
    path, ids = hostile_db
    query = dict(query)
    if url_path == "regions" and query.get("view") == "Measure":
        query.update({"measure": ids["measure"], "geo": ENGLAND})
    if url_path == "scenarios":
        query["scenario"] = ids["scenario"]
    at = run_page(url_path, path, query=query, session={"scn_inputs_open": True})
    assert not at.exception, [e.value for e in at.exception]
    assert live_text(at) == []
    if view in SHOWN:
        assert "Mallory" in shown_text(at), "the hostile text is shown (escaped), not dropped"


def test_every_deck_slide_keeps_hostile_text_inert(hostile_db) -> None:
    """The deck's slides (plan status, milestones, scenario rationale) one by one."""
    path, ids = hostile_db
    at = run_page("present", path, query={"scenarios": ids["scenario"]})
    assert not at.exception
    counters = [m for e in _elements(at) if (m := SLIDE_COUNT.search(str(_text_of(e))))]
    assert counters, "the deck shows its slide count"
    total = int(counters[0].group(1))
    assert total >= 5
    problems = live_text(at)
    for number in range(2, total + 1):
        at = run_page("present", path, query={"scenarios": ids["scenario"], "slide": str(number)})
        assert not at.exception, number
        problems += [f"slide {number}: {p}" for p in live_text(at)]
    assert problems == []


def test_the_check_itself_finds_live_text() -> None:
    """The finder is not blind: raw hostile text in a Markdown element is reported."""
    at = AppTest.from_string(
        "import streamlit as st\n"
        f"st.markdown({HOSTILE!r})\n"
        f"st.caption({HOSTILE!r})\n"
        "import pandas as pd\n"
        f"st.table(pd.DataFrame({{'a': [{HOSTILE!r}]}}))\n"
        "import plotly.graph_objects as go\n"
        f"st.plotly_chart(go.Figure().add_annotation(text={HOSTILE!r}, x=0, y=0))\n"
    ).run()
    kinds = {p.split(":")[0] for p in live_text(at)}
    assert {"markdown", "caption", "table cell", "plotly"} <= kinds, kinds

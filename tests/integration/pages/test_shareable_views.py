"""Shareable views: every registered page, opened from a copied link, reproduces the view.

Each page is opened in AppTest with query parameters a user's link would carry (the shared
sidebar's region and plan version plus the page's own selections). The test checks that the
page shows that view and that the parameters are still in the URL afterwards (so copying the
link again gives the same view).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from streamlit.testing.v1 import AppTest

from nlf_planner.deck import DeckChoices
from nlf_planner.services import plan_editing
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.database import open_store
from nlf_planner.services.deck import build_deck
from nlf_planner.ui.navigation import PAGES
from tests.apptest_utils import headings, run_page

LONDON = "E40000003"


@dataclass(frozen=True)
class View:
    query: Callable[[object], dict[str, str]]  # db -> the link's parameters
    check: Callable[[AppTest, object, dict[str, str]], None]  # asserts the view shows them


def _state(at: AppTest, key: str):
    return at.session_state[key] if key in at.session_state else None  # noqa: SIM401


def _check_overview(at, db, q):
    assert any("London" in h for h in headings(at)), headings(at)


def _check_plan(at, db, q):
    assert at.selectbox(key="plan_area").value == q["area"]
    assert _state(at, "tab") == q["tab"]


def _check_regions(at, db, q):
    assert _state(at, "view") == q["view"]
    assert _state(at, "measure") == q["measure"]


def _check_scenarios(at, db, q):
    assert _state(at, "tab") == q["tab"]


def _check_engagement(at, db, q):
    assert _state(at, "tab") == q["tab"]


def _check_data(at, db, q):
    assert _state(at, "section") == q["section"]


def _check_present(at, db, q):
    deck = build_deck(db, DeckChoices(region=q["region"]))
    wanted = deck.slides[int(q["slide"]) - 1].title
    shown = [h.value for h in at.header] + [h.value for h in at.subheader]
    assert wanted in shown, (wanted, shown)


def _oldest_plan(db) -> str:
    return str(int(plan_editing.list_versions(db)["version_id"].min()))


def _two_scenarios(db) -> str:
    return ",".join(str(i) for i in scenario_service.list_scenarios(db)["scenario_id"][:2])


VIEWS: dict[str, View] = {
    "overview": View(lambda db: {"region": LONDON}, _check_overview),
    "plan": View(lambda db: {"area": "P3", "tab": "Roadmap"}, _check_plan),
    "regions": View(
        lambda db: {"view": "Benchmark", "measure": "M05", "region": LONDON}, _check_regions
    ),
    "scenarios": View(
        lambda db: {"tab": "Compare", "compare": _two_scenarios(db)}, _check_scenarios
    ),
    "engagement": View(lambda db: {"tab": "Events"}, _check_engagement),
    "data": View(lambda db: {"section": "Export"}, _check_data),
    "present": View(lambda db: {"slide": "3", "region": LONDON}, _check_present),
}


@pytest.fixture(scope="module")
def seeded(seeded_db_path):
    db = open_store(seeded_db_path)
    yield db
    db.close()


def test_every_registered_page_has_a_shareable_view_case() -> None:
    missing = [p.url_path for p in PAGES if p.url_path not in VIEWS]
    assert not missing, f"add a shareable-view case for: {missing}"


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_a_copied_link_reproduces_the_view(spec, seeded_db_path, seeded) -> None:
    view = VIEWS.get(spec.url_path)
    if view is None:
        pytest.fail(f"no shareable-view case for {spec.url_path}")
    # Every link also carries the shared sidebar's choices: region and plan version.
    query = {"region": LONDON, "plan": _oldest_plan(seeded), **view.query(seeded)}
    at = run_page(spec.url_path, seeded_db_path, query=query)
    assert not at.exception, [e.value for e in at.exception]
    view.check(at, seeded, query)
    url = {k: at.query_params[k] for k in at.query_params}
    for key, value in query.items():
        got = url.get(key)
        got = got[0] if isinstance(got, list) else got
        assert got == value, f"{spec.url_path}: ?{key}={value} became {got!r} in the URL"

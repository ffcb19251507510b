"""axe-core on every page and every main view: no WCAG 2.0/2.1/2.2 A or AA violation
(issue 18), and each page titled and headed once.

axe-core comes inside the pinned ``axe-playwright-python`` wheel, so this runs offline. One
server for the whole run (the session's ``app_server``); every view is opened by its URL or
by clicking its tab, as a person would.
"""

from __future__ import annotations

import pytest
from axe_playwright_python import sync_playwright as axe_sync

from nlf_planner.ui.navigation import PAGES
from tests.browser.conftest import screenshot, wait_for_app_run

#: WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags; 2.2 added AA rules only).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: (view id, URL path and query, tab to click in the page body or None).
VIEWS: list[tuple[str, str, str | None]] = [
    *((spec.url_path, spec.url_path, None) for spec in PAGES),
    ("regions-measure", "regions?view=Measure", None),
    ("regions-benchmark", "regions?view=Benchmark", None),
    ("regions-profile", "regions?view=Profile", None),
    ("plan-roadmap", "plan", "Roadmap"),
    ("plan-status", "plan", "Status and follow-up"),
    ("plan-versions", "plan", "Versions and changes"),
    *(
        (f"scenarios-{tab.lower().replace(' ', '-')}", "scenarios", tab)
        for tab in ("Compare", "Sensitivity", "Goal seek", "Waterfall", "Save and share")
    ),
    ("engagement-events", "engagement", "Events"),
    ("engagement-log", "engagement", "Engagement log"),
    ("engagement-coverage", "engagement", "Coverage"),
    ("data-export", "data", "Export"),
    ("data-dictionary", "data", "Data dictionary"),
    ("data-audit", "data", "Audit log"),
    ("data-backup", "data", "Backup and restore"),
    ("data-people", "data", "People"),
    ("present-full-screen", "present?full=1", None),
    ("present-full-screen-slide-4", "present?full=1&slide=4", None),
]


@pytest.fixture(scope="module")
def axe():
    return axe_sync.Axe()


def _open(page, app_server: str, path: str, tab: str | None) -> None:
    page.goto(f"{app_server}/{path}")
    wait_for_app_run(page)
    if "full=1" in path:  # the link reruns once into full screen
        page.get_by_test_id("stSidebar").first.wait_for(state="hidden", timeout=15_000)
        wait_for_app_run(page)
    if tab is not None:
        page.get_by_test_id("stMain").get_by_role("tab", name=tab, exact=True).first.click()
        wait_for_app_run(page)
    page.wait_for_timeout(800)  # charts draw their SVG after the run ends


def _violations(axe, page) -> list[str]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')}"
        for v in result.response["violations"]
        for node in v["nodes"]
    ]


@pytest.mark.parametrize(("view", "path", "tab"), VIEWS, ids=[v[0] for v in VIEWS])
def test_no_wcag_a_or_aa_violations(view, path, tab, app_server, page, axe) -> None:
    _open(page, app_server, path, tab)
    assert page.get_by_test_id("stException").count() == 0
    found = _violations(axe, page)
    if found:
        screenshot(page, f"axe-{view}")
    assert found == [], "\n".join(found)
    assert page.locator("h1").count() == 1, "exactly one level-1 heading"


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_no_violations_at_1024_by_768(spec, app_server, browser, axe) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        _open(page, app_server, spec.url_path, None)
        found = _violations(axe, page)
        assert found == [], "\n".join(found)
    finally:
        context.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_each_page_has_its_own_title_and_the_product_name_on_top(spec, app_server, page) -> None:
    _open(page, app_server, spec.url_path, None)
    assert page.title() == f"{spec.title} · NLF Planner"
    h1 = page.locator("h1")
    assert h1.count() == 1 and h1.first.inner_text().strip() == spec.heading
    product = page.locator(".nlf-product").first
    assert product.is_visible() and "NLF Planner" in product.inner_text()
    assert product.bounding_box()["y"] < h1.first.bounding_box()["y"]  # above the heading


def test_captions_are_dark_enough(app_server, page) -> None:
    """4.5:1 on white needs a grey at least as dark as #767676; NHS Dark Grey is used."""
    _open(page, app_server, "overview", None)
    color, opacity = page.evaluate(
        """() => { const p = document.querySelector(
                 "[data-testid=stMain] [data-testid=stCaptionContainer] p");
               return [getComputedStyle(p).color,
                       getComputedStyle(p.parentElement).opacity]; }"""
    )
    assert color == "rgb(66, 85, 99)" and opacity == "1"

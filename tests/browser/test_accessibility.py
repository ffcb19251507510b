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

#: The main views of each page, reached as a person would: a tab or a view button to
#: click in the page body, in order, after the page opens.
VIEWS: dict[str, list[str]] = {
    "overview": [],
    "plan": ["Roadmap", "Status and follow-up", "Versions and changes"],
    "regions": ["Measure", "Benchmark", "Profile"],
    "scenarios": ["Compare", "Sensitivity", "Goal seek", "Waterfall", "Save and share"],
    "engagement": ["Events", "Engagement log", "Coverage"],
    "present": [],
    "data": ["Export", "Data dictionary", "Audit log", "Backup and restore", "People"],
}


@pytest.fixture(scope="module")
def axe():
    return axe_sync.Axe()


def _open(page, app_server: str, path: str) -> None:
    page.goto(f"{app_server}/{path}")
    wait_for_app_run(page)
    if "full=1" in path:  # the link reruns once into full screen
        page.get_by_test_id("stSidebar").first.wait_for(state="hidden", timeout=15_000)
        wait_for_app_run(page)
    # A fresh server's first visit reruns once through app.py (ui.frame.get_db): wait for
    # the page's heading, hidden or not, before reading it.
    page.locator("h1").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(800)  # charts draw their SVG after the run ends


def _show(page, view: str) -> None:
    """Click the page's tab or view button called ``view``."""
    main = page.get_by_test_id("stMain")
    target = main.get_by_role("tab", name=view, exact=True)
    if target.count() == 0:  # the Regions views are a segmented control (radio buttons)
        target = main.get_by_role("radio", name=view, exact=True)
    target.first.click()
    wait_for_app_run(page)
    page.wait_for_timeout(800)


def _violations(axe, page) -> list[str]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')}"
        for v in result.response["violations"]
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_every_view_has_no_wcag_a_or_aa_violations(spec, app_server, page, axe) -> None:
    """The page at 1440 wide and at 1024×768, then each of its main views; its browser
    title, its one h1 and the product's name above it."""
    _open(page, app_server, spec.url_path)
    assert page.title() == f"{spec.title} · NLF Planner"
    h1 = page.locator("h1")
    assert h1.count() == 1 and h1.first.inner_text().strip() == spec.heading
    product = page.locator(".nlf-product").first
    assert product.is_visible() and "NLF Planner" in product.inner_text()
    assert product.bounding_box()["y"] < h1.first.bounding_box()["y"]  # above the heading

    found = {"page": _violations(axe, page)}
    page.set_viewport_size({"width": 1024, "height": 768})
    page.wait_for_timeout(500)
    found["page at 1024x768"] = _violations(axe, page)
    page.set_viewport_size({"width": 1440, "height": 1000})
    for view in VIEWS[spec.url_path]:
        _show(page, view)
        assert page.get_by_test_id("stException").count() == 0, view
        assert page.locator("h1").count() == 1, view
        found[view] = _violations(axe, page)
    failing = {view: v for view, v in found.items() if v}
    if failing:
        screenshot(page, f"axe-{spec.url_path}")
    assert failing == {}, "\n".join(f"{k}: {line}" for k, v in failing.items() for line in v)


@pytest.mark.parametrize("slide", [1, 4], ids=["title-slide", "slide-4"])
def test_the_full_screen_deck_has_no_violations(slide, app_server, page, axe) -> None:
    _open(page, app_server, f"present?full=1&slide={slide}")
    assert page.locator("h1").count() == 1, "one h1 (for screen readers) in full screen too"
    found = _violations(axe, page)
    assert found == [], "\n".join(found)


def test_captions_are_dark_enough(app_server, page) -> None:
    """4.5:1 on white needs a grey at least as dark as #767676; NHS Dark Grey is used."""
    _open(page, app_server, "overview")
    color, opacity = page.evaluate(
        """() => { const p = document.querySelector(
                 "[data-testid=stMain] [data-testid=stCaptionContainer] p");
               return [getComputedStyle(p).color,
                       getComputedStyle(p.parentElement).opacity]; }"""
    )
    assert color == "rgb(66, 85, 99)" and opacity == "1"

"""Each main journey once by keyboard alone (Tab, Enter, arrows), with the focus ring visible
on every item reached (issue 18): move between pages, open a Regions view, step the deck's
slides, fill in and submit a form.

The test only presses keys; it reads the page (what has focus, its computed outline) to
decide when to stop pressing Tab.
"""

from __future__ import annotations

import re
import time

from tests.browser.conftest import screenshot, wait_for_app_run

#: The ring drawn by ``ui.styles``: NHS focus yellow.
FOCUS_YELLOW = "rgb(255, 235, 59)"
MAX_TABS = 120

_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  return {tag: e.tagName, role: e.getAttribute('role') || '',
          label: e.getAttribute('aria-label') || '',
          text: (e.innerText || e.value || '').trim().slice(0, 120),
          href: e.getAttribute('href') || ''};
}"""

#: The ring is on the focused element, or (for a text field inside Streamlit's rounded
#: wrapper, or a data grid's canvas) on the frame that holds the focus: the nearest
#: ancestors are looked at.
_RING = """() => {
  let e = document.activeElement;
  for (let i = 0; e && i < 8; i++, e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
      return {width: parseFloat(s.outlineWidth), color: s.outlineColor, depth: i};
  }
  return null;
}"""


def shows(focused: dict, text: str) -> bool:
    """Whether ``text`` is one of the focused element's lines (Material icons and shortcut
    hints are lines of their own: "arrow_forward / Next / →")."""
    lines = [line.strip() for line in focused["text"].splitlines()]
    return text in lines or focused["label"] == text


def _ring(page) -> dict | None:
    return page.evaluate(_RING)


def tab_to(page, matches, *, backwards: bool = False) -> dict:
    """Press Tab until the focused element satisfies ``matches``; every stop shows a ring."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        page.wait_for_timeout(60)  # a widget may move the focus inside itself
        focused = page.evaluate(_FOCUSED)
        if focused is None:
            continue
        ring = _ring(page)
        assert ring is not None and ring["width"] >= 2, f"no visible focus ring on {focused}"
        assert ring["color"] == FOCUS_YELLOW, (focused, ring)
        if matches(focused):
            return focused
    raise AssertionError(f"never reached the element by Tab ({MAX_TABS} presses)")


def _wait_url(page, pattern: str, timeout_s: float = 20) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if re.search(pattern, page.url):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{page.url} never matched {pattern}")


def test_move_between_pages_by_keyboard(app_server, page) -> None:
    page.goto(app_server)
    wait_for_app_run(page)
    tab_to(page, lambda f: f["tag"] == "A" and f["href"].endswith("/regions"))
    screenshot(page, "keyboard-focus-nav-link")
    page.keyboard.press("Enter")
    _wait_url(page, r"/regions")
    wait_for_app_run(page)
    assert page.locator("h1").first.inner_text().startswith("Regions")


def test_open_a_regions_view_by_keyboard(app_server, page) -> None:
    page.goto(f"{app_server}/regions")
    wait_for_app_run(page)
    tab_to(page, lambda f: f["role"] == "radio" and shows(f, "Matrix"))
    page.keyboard.press("ArrowRight")  # the views are one radio group: arrows move along
    page.keyboard.press("ArrowRight")
    focused = page.evaluate(_FOCUSED)
    assert shows(focused, "Benchmark") and _ring(page) is not None
    page.keyboard.press("Enter")
    _wait_url(page, r"view=Benchmark")
    wait_for_app_run(page)
    assert page.get_by_test_id("stException").count() == 0
    assert page.locator("[data-testid='stPlotlyChart']").count() >= 1


def test_step_the_deck_by_keyboard(app_server, page) -> None:
    page.goto(f"{app_server}/present")
    wait_for_app_run(page)
    tab_to(page, lambda f: f["tag"] == "BUTTON" and shows(f, "Next"))
    page.keyboard.press("Enter")
    _wait_url(page, r"slide=2")
    wait_for_app_run(page)
    tab_to(page, lambda f: f["tag"] == "BUTTON" and shows(f, "Full screen"))
    page.keyboard.press("Enter")
    page.get_by_test_id("stSidebar").first.wait_for(state="hidden", timeout=15_000)
    wait_for_app_run(page)
    page.keyboard.press("ArrowRight")
    _wait_url(page, r"slide=3")
    wait_for_app_run(page)
    screenshot(page, "keyboard-deck-slide-3")
    assert page.get_by_text(re.compile(r"^Slide 3 of \d+$")).first.is_visible()


def test_fill_in_and_submit_a_form_by_keyboard(app_server, page) -> None:
    name = f"Keyboard Trust {int(time.time())}"
    page.goto(f"{app_server}/engagement")
    wait_for_app_run(page)
    # Backwards from the end of the page: the form comes after the stakeholder table, whose
    # data grid keeps Tab for moving between its cells (a Streamlit limit).
    tab_to(
        page,
        lambda f: f["tag"] == "SUMMARY" and shows(f, "Add a stakeholder"),
        backwards=True,
    )
    page.keyboard.press("Enter")  # opens the expander, which then draws its form
    page.get_by_label("Name", exact=True).first.wait_for(timeout=20_000)
    wait_for_app_run(page)
    tab_to(page, lambda f: f["tag"] == "INPUT" and f["label"] == "Name")
    page.keyboard.type(name)
    screenshot(page, "keyboard-focus-text-field")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and shows(f, "Add stakeholder"))
    page.keyboard.press("Enter")
    page.get_by_text(f"Added {name}").first.wait_for(timeout=20_000)
    assert page.get_by_test_id("stException").count() == 0

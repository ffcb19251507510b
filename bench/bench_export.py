"""Issue 6: board packs and presenter mode.

Bars: PowerPoint of the full deck < 20 s; HTML < 3 s; stepping to the next slide in Chromium
< 1.5 s median (click → script finished and the slide's chart drawn).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.browser_timing import ROOT, launch, median, start, wait_for_charts
from nlf_planner import export
from nlf_planner.deck import DeckChoices
from nlf_planner.services.deck import build_deck
from nlf_planner.services.seeding import seed_database
from nlf_planner.store import open_database
from tools.screenshot import wait_for_app_run

END_MONTH = date(2026, 10, 1)
STEPS = 12


def _packs(db_path: Path) -> dict:
    out: dict = {}
    db = open_database(db_path)
    try:
        started = time.perf_counter()
        deck = build_deck(db, DeckChoices())
        out["deck_build_s"] = round(time.perf_counter() - started, 2)
    finally:
        db.close()
    out["deck_slides"] = len(deck.slides)
    out["deck_charts"] = sum(len(s.figures) for s in deck.slides)

    started = time.perf_counter()
    html = export.to_html(deck)
    out["html_export_s"] = round(time.perf_counter() - started, 2)
    out["html_bytes"] = len(html)

    started = time.perf_counter()
    pptx = export.export_deck(deck, "pptx")  # starts Chromium, draws every chart, writes
    out["pptx_export_s"] = round(time.perf_counter() - started, 2)
    out["pptx_bytes"] = len(pptx)
    out["pptx_including_deck_build_s"] = round(out["pptx_export_s"] + out["deck_build_s"], 2)

    started = time.perf_counter()
    pdf = export.export_deck(deck, "pdf")
    out["pdf_export_s"] = round(time.perf_counter() - started, 2)
    out["pdf_bytes"] = len(pdf)
    out["target_pptx_s"] = 20
    out["target_html_s"] = 3
    return out


def _stepping(db_path: Path) -> dict:
    app, url = start(ROOT / "app.py", db_path)
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            page.goto(url)  # the frame first, so st.navigation owns routing
            wait_for_app_run(page)
            started = time.perf_counter()
            page.goto(f"{url}/present?full=1")
            wait_for_app_run(page)
            wait_for_charts(page)
            first = time.perf_counter() - started
            times = []
            for _ in range(STEPS):
                started = time.perf_counter()
                page.keyboard.press("ArrowRight")
                wait_for_app_run(page)
                wait_for_charts(page)
                times.append(time.perf_counter() - started)
            if page.get_by_test_id("stException").count():
                raise RuntimeError("the Present page showed an exception")
            # The same in the page's normal mode (sidebar, downloads, chart CSVs).
            page.goto(f"{url}/present?slide=1")  # a new session: not presenting
            page.get_by_role("button", name="Full screen").wait_for()
            wait_for_app_run(page)
            normal = []
            for _ in range(STEPS // 2):
                started = time.perf_counter()
                page.keyboard.press("ArrowRight")
                wait_for_app_run(page)
                wait_for_charts(page)
                normal.append(time.perf_counter() - started)
            browser.close()
    finally:
        app.kill()
    return {
        "present_first_load_s": round(first, 2),
        "present_next_slide_median_s": median(times),
        "present_next_slide_max_s": round(max(times), 3),
        "present_next_slide_mean_s": round(statistics.mean(times), 3),
        "present_steps": len(times),
        "present_next_slide_page_mode_median_s": median(normal),
        "target_next_slide_median_s": 1.5,
    }


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "nlf.duckdb"
        db = open_database(db_path)
        seed_database(db, end_month=END_MONTH)
        db.close()
        out = _packs(db_path)
        out.update(_stepping(db_path))
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))

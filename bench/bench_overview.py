"""Issue 2: cold start to the Overview, and Overview render time against the minimal page.

Issue 12: no page becomes slower to first render in Chromium than 1.5× the one-chart page,
so every page of the navigation is timed too (each load a new browser context, as a person
opening a link), alternating with the one-chart page so machine load falls on both alike."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.browser_timing import ROOT, alternate, launch, median, start, time_load


def run() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        db_path = Path(tmp) / "nlf.duckdb"
        browser = launch(p)
        # Cold start: new database file (created and seeded), server start, first render.
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nlf_planner.cli.generate"],
            check=True,
            cwd=ROOT,
            env={"NLF_DB_PATH": str(db_path), "PATH": "/usr/bin:/bin"},
            capture_output=True,
        )
        seeded = time.perf_counter()
        app, app_url = start(ROOT / "app.py", db_path)
        minimal, minimal_url = start(ROOT / "bench" / "minimal_app.py", db_path)
        try:
            first = time_load(browser, f"{app_url}/overview")
            out["cold_start_seed_s"] = round(seeded - started, 2)
            out["cold_start_to_overview_rendered_s"] = round(time.perf_counter() - started, 2)
            out["overview_first_render_s"] = round(first, 2)
            times = alternate(browser, {"overview": f"{app_url}/overview", "minimal": minimal_url})
            out["overview_render_median_s"] = median(times["overview"])
            out["minimal_chart_page_render_median_s"] = median(times["minimal"])
            out["overview_to_minimal_ratio"] = round(
                median(times["overview"]) / median(times["minimal"]), 2
            )
            out["target_ratio"] = 1.5
            out.update(_every_page(browser, app_url, minimal_url))
        finally:
            app.kill()
            minimal.kill()
            browser.close()
    return out


#: Every page of the navigation, by its URL path.
PAGES = ("overview", "plan", "regions", "scenarios", "engagement", "present", "data")
PAGE_ROUNDS = 5


def _every_page(browser, app_url: str, minimal_url: str) -> dict:
    """Each page's first render (median of ``PAGE_ROUNDS``) over the one-chart page's,
    measured in the same pass."""
    urls = {name: f"{app_url}/{name}" for name in PAGES} | {"minimal": minimal_url}
    times = alternate(browser, urls, rounds=PAGE_ROUNDS)
    reference = median(times["minimal"])
    ratios = {name: round(median(times[name]) / reference, 2) for name in PAGES}
    return {
        "pages_first_render_median_s": {name: median(times[name]) for name in PAGES},
        "pages_minimal_render_median_s": reference,
        "pages_to_minimal_ratio": ratios,
        "pages_worst_ratio": max(ratios.values()),
        "pages_meeting_target": sorted(n for n, r in ratios.items() if r <= 1.5),
    }

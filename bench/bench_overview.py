"""Issue 2: cold start to the Overview, and Overview render time against the minimal page."""

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
        finally:
            app.kill()
            minimal.kill()
            browser.close()
    return out

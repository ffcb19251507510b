"""Issue 12: no page becomes slower to first render in Chromium, and the Overview stays
within 1.5× a page with one small plotly chart.

"Slower" needs the pages as they were, so this bench runs them: it exports the commit just
before issue 12's first change (``REFERENCE_COMMIT``, with ``git archive``, into a
temporary folder; nothing is checked out over this tree), seeds that version's own
database with that version's own generator, and starts it beside the current app (on its
own seeded database) and ``bench/minimal_app.py``, each a Streamlit process on a free
loopback port with the same flags. Each page is then loaded in turn from each app,
``ROUNDS`` times after one warm-up each, every load in a new browser context (as a person
opening a link: no cached scripts), timed until the script has finished and every chart
has drawn. Medians are compared; the three are interleaved so machine load falls on all
alike.

Reported per page: the current and the reference median, current/reference (a page is
counted slower above ``SLOWER_ABOVE``, the spread seen between runs of the same code here),
and current/one-chart. Without git history (an exported tree) the reference part is skipped
and says why.

Run by hand: ``python -m bench.bench_first_render``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.browser_timing import ROOT, alternate, launch, median
from tools.app_server import start_streamlit, stop

#: The last commit before issue 12's work began (the one before "Bench: warm rerun server
#: time of every page against a one-chart page", 82254e4).
REFERENCE_COMMIT = "44c1a72"
#: Every page of the navigation, by its URL path.
PAGES = ("overview", "plan", "regions", "scenarios", "engagement", "present", "data")
ROUNDS = 5
#: current/reference above this counts as slower: the same code measured twice here differs
#: by up to about 10% between passes.
SLOWER_ABOVE = 1.10
OVERVIEW_TARGET = 1.5
END_MONTH = "2026-10"


def _seed(src: Path, db_path: Path) -> None:
    """Seed ``db_path`` with the generator of the code under ``src``."""
    subprocess.run(
        [sys.executable, "-m", "nlf_planner.cli.generate", "--db", str(db_path)]
        + ["--end-month", END_MONTH],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(src), "NLF_DB_PATH": str(db_path)},
    )


def _export_reference(target: Path) -> str | None:
    """The reference commit's tree under ``target``; why not, when it cannot be had."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", REFERENCE_COMMIT],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"the reference commit {REFERENCE_COMMIT} is not in this clone's history ({exc})"
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return None


def run() -> dict:
    out: dict = {"reference_commit": REFERENCE_COMMIT, "rounds": ROUNDS}
    with tempfile.TemporaryDirectory(prefix="nlf-bench-render-") as tmp:
        tmp_path = Path(tmp)
        current_db = tmp_path / "current.duckdb"
        _seed(ROOT / "src", current_db)
        reference = tmp_path / "reference"
        why_not = _export_reference(reference)
        procs = []
        try:
            app, app_url = start_streamlit(ROOT / "app.py", current_db)
            procs.append(app)
            minimal, minimal_url = start_streamlit(ROOT / "bench" / "minimal_app.py", current_db)
            procs.append(minimal)
            urls = {f"current_{p}": f"{app_url}/{p}" for p in PAGES} | {"minimal": minimal_url}
            if why_not is None:
                reference_db = tmp_path / "reference.duckdb"
                _seed(reference / "src", reference_db)
                ref, ref_url = start_streamlit(
                    reference / "app.py",
                    reference_db,
                    env={"PYTHONPATH": str(reference / "src")},
                )
                procs.append(ref)
                urls |= {f"reference_{p}": f"{ref_url}/{p}" for p in PAGES}
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    times = alternate(browser, urls, rounds=ROUNDS)
                finally:
                    browser.close()
        finally:
            for proc in procs:
                stop(proc)
    return out | _report(times, why_not)


def _report(times: dict[str, list[float]], why_not: str | None) -> dict:
    minimal = median(times["minimal"])
    current = {p: median(times[f"current_{p}"]) for p in PAGES}
    out: dict = {
        "minimal_chart_page_median_s": minimal,
        "current_median_s": current,
        "current_to_minimal_ratio": {p: round(current[p] / minimal, 2) for p in PAGES},
        "overview_to_minimal_ratio": round(current["overview"] / minimal, 2),
        "overview_target_ratio": OVERVIEW_TARGET,
    }
    if why_not is not None:
        out["reference_skipped"] = why_not
        return out
    before = {p: median(times[f"reference_{p}"]) for p in PAGES}
    ratios = {p: round(current[p] / before[p], 2) for p in PAGES}
    out |= {
        "reference_median_s": before,
        "reference_to_minimal_ratio": {p: round(before[p] / minimal, 2) for p in PAGES},
        "current_to_reference_ratio": ratios,
        "slower_above": SLOWER_ABOVE,
        "pages_slower_than_reference": sorted(p for p, r in ratios.items() if r > SLOWER_ABOVE),
    }
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")

"""Issue 12: 20 concurrent sessions cycling all seven pages of the real app, against 20
sessions rerunning a page with one small plotly chart, measured in the same run.

Two Streamlit processes are started on loopback ports of this bench's own range (8680–8699),
the same way (same flags, same folder, same config): the app on a freshly seeded default
DuckDB database (end month pinned, as the tests pin it), and ``bench/minimal_app.py``. A
separate process keeps the product's navigation as it is and lets neither page's sessions
slow the other's. The app's pages are warmed once; then the one-chart page is measured, the
pages, and the one-chart page again (pooled), so a change in the machine's load touches
both. Each app session starts on a different page and visits every page in turn (one run to
go there, then reruns of it); every run must show its page's heading and no exception.

Reported: throughput (runs/s) of each, p50/p95 of each, the throughput ratio all pages /
one chart (bar ≥ 0.4), the p95 ratio (bar ≤ 5), p50/p95 per page, errors (bar 0), each
page's rerun alone before the load (what the page itself costs: under load every page's
latency is mostly the queue), the CPU each server used, and the machine's load average
(other work on a shared machine moves the numbers: say so beside them).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench.bench_load import _process_cpu_s, _self_cpu_s
from bench.ws_load import Page, measure, measure_pages, run_once
from tools.cluster import HOST, pick_ports, wait_for_health

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "bench" / "minimal_app.py"
PORTS = range(8680, 8700)
END_MONTH = "2026-10"
SESSIONS = 20
PAGES_WINDOW_S = 40.0
PAGES_WARMUP_S = 8.0
MINIMAL_WINDOW_S = 12.0
MINIMAL_WARMUP_S = 3.0
#: Reruns on each page before the session moves on, as issue 12 measured it ("each cycling
#: the 7 pages with 10 reruns"); the page's arrival run counts too.
RERUNS_PER_VISIT = 10
TARGET_THROUGHPUT_RATIO = 0.4
TARGET_P95_RATIO = 5.0


def _pages() -> tuple[Page, ...]:
    from nlf_planner.ui.navigation import PAGES

    return tuple(Page(spec.url_path, spec.heading) for spec in PAGES)


def _seed(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nlf_planner.cli.generate", "--db", str(path)]
        + ["--end-month", END_MONTH],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(path, path.parent),
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed: {done.stderr.strip()[-500:]}")


def _env(db_path: Path, tmp: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "NLF_DB_PATH": str(db_path),
        "NLF_BACKUP_DIR": str(tmp / "backups"),
        "NLF_BACKUP_KEY": os.environ.get("NLF_BACKUP_KEY", "0" * 40),
    }
    env.pop("NLF_DATABASE_URL", None)  # the DuckDB file, never a shared server
    return env


def _start(script: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port),
        "--server.address", HOST,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--global.developmentMode", "false",
    ]  # fmt: skip
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    """Stop one server this bench started (by its own pid, never by name)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


async def _warm(url: str, pages: tuple[Page, ...]) -> tuple[float, dict[str, float]]:
    """Draw every page once in one session (imports, process caches), then rerun each once
    alone: the wall time of the first pass, and each page's solo rerun (seconds).

    Under load every page's latency is mostly the queue of the other sessions' runs, so
    the per-page p50s come out alike; the solo rerun says what each page itself costs.
    """
    import websockets

    started = time.perf_counter()
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    solo: dict[str, float] = {}
    async with websockets.connect(
        ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60
    ) as ws:
        for page in pages:
            await run_once(ws, page.name, expect_heading=page.heading)
        first_pass = time.perf_counter() - started
        for page in pages:
            await run_once(ws, page.name, expect_heading=page.heading)  # arrive
            t0 = time.perf_counter()
            await run_once(ws, page.name, expect_heading=page.heading)  # rerun
            solo[page.name] = round(time.perf_counter() - t0, 3)
    return first_pass, solo


def _timed(proc: subprocess.Popen, coro_factory) -> dict:
    """Run one measurement and add the CPU (cores) the server and this load generator used
    over its wall time: on a shared 2-core machine both compete with everything else."""
    cpu_before, self_before = _process_cpu_s(proc.pid), _self_cpu_s()
    started = time.monotonic()
    result = asyncio.run(coro_factory())
    wall = time.monotonic() - started
    result["server_cores_used"] = round((_process_cpu_s(proc.pid) - cpu_before) / wall, 2)
    result["load_generator_cores_used"] = round((_self_cpu_s() - self_before) / wall, 2)
    return result


def _pool_minimal(rounds: list[dict]) -> dict:
    runs = sum(r["runs"] for r in rounds)
    window = sum(r["window_s"] for r in rounds)
    p95 = max(r["rerun_p95_s"] for r in rounds if r["rerun_p95_s"] is not None)
    p50 = sorted(r["rerun_p50_s"] for r in rounds if r["rerun_p50_s"] is not None)
    return {
        "runs_per_s": round(runs / window, 3),
        "runs": runs,
        # Pooled conservatively: the worse round's p95, the rounds' middle p50.
        "p50_s": p50[len(p50) // 2] if p50 else None,
        "p95_s": p95,
        "errors": sum(r["errors"] for r in rounds),
        "rounds": rounds,
    }


def run() -> dict:
    pages = _pages()
    tmp = Path(tempfile.mkdtemp(prefix="nlf-bench-pages-"))
    out: dict = {
        "sessions": SESSIONS,
        "reruns_per_visit": RERUNS_PER_VISIT,
        "machine_load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }
    try:
        with ExitStack() as stack:
            db_path = tmp / "bench.duckdb"
            _seed(db_path)
            env = _env(db_path, tmp)
            app_port, minimal_port = pick_ports(2, PORTS)
            app = _start(ROOT / "app.py", app_port, env, tmp / "app.log")
            stack.callback(_stop, app)
            minimal = _start(MINIMAL, minimal_port, env, tmp / "minimal.log")
            stack.callback(_stop, minimal)
            app_url, minimal_url = (f"http://{HOST}:{p}" for p in (app_port, minimal_port))
            wait_for_health(app_url, proc=app)
            wait_for_health(minimal_url, proc=minimal)
            first_pass, solo = asyncio.run(_warm(app_url, pages))
            out["warm_pass_s"] = round(first_pass, 2)
            out["solo_rerun_s"] = solo
            out["solo_rerun_s"]["one_chart"] = asyncio.run(_warm(minimal_url, (Page(""),)))[1][""]

            def one_chart() -> dict:
                return _timed(
                    minimal,
                    lambda: measure(
                        minimal_url, SESSIONS, MINIMAL_WINDOW_S, warmup_s=MINIMAL_WARMUP_S
                    ),
                )

            first = one_chart()
            all_pages = _timed(
                app,
                lambda: measure_pages(
                    app_url, pages, SESSIONS, PAGES_WINDOW_S, RERUNS_PER_VISIT, PAGES_WARMUP_S
                ),
            )
            second = one_chart()
        out["all_pages"] = all_pages
        out["one_chart"] = floor = _pool_minimal([first, second])
        if floor["runs_per_s"] and all_pages["p95_s"] and floor["p95_s"]:
            out["throughput_ratio_all_pages_to_one_chart"] = round(
                all_pages["runs_per_s"] / floor["runs_per_s"], 3
            )
            out["p95_ratio_all_pages_to_one_chart"] = round(all_pages["p95_s"] / floor["p95_s"], 2)
        out["target_throughput_ratio"] = TARGET_THROUGHPUT_RATIO
        out["target_p95_ratio"] = TARGET_P95_RATIO
        out["errors"] = all_pages["errors"] + floor["errors"]
        out["machine_load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


if __name__ == "__main__":  # python -m bench.bench_load_pages: this bench alone, printed
    import json

    print(json.dumps(run(), indent=2))

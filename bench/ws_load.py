"""A websocket load generator that speaks Streamlit's own protocol.

Why not a browser or an HTTP load tool: on a small machine many Chromium tabs measure the
browser, and ``GET /`` only exercises static files (engineering-notes §6.3). A Streamlit
session is one websocket to ``/_stcore/stream``; the server runs the script when the client
sends a ``BackMsg`` with ``rerun_script`` and streams ``ForwardMsg``s until ``script_finished``.
This client does exactly that, many sessions at once, and counts finished runs. It uses the
protobufs of the pinned Streamlit (``streamlit.proto``): a new Streamlit may need changes here.

Run by hand: ``python -m bench.ws_load http://127.0.0.1:8500 --sessions 20 --seconds 30``.
Loopback targets only: the client refuses any other host.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RUN_TIMEOUT_S = 120.0


class RunFailed(RuntimeError):
    """A script run that did not finish cleanly (an exception shown, a compile error, a
    closed socket or a timeout)."""


@dataclass
class SessionStats:
    """What one session saw: each rerun as (finished at, seconds taken), errors."""

    runs: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first_run_s: float | None = None


def _ws_url(base_url: str) -> tuple[str, str]:
    parts = urlsplit(base_url)
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"load tests run against loopback only, not {parts.hostname!r}")
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/_stcore/stream", f"{parts.scheme}://{parts.netloc}"


def _rerun_message(page_name: str, query_string: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query_string
    msg.rerun_script.page_name = page_name
    return msg.SerializeToString()


async def run_once(
    ws, page_name: str = "", query_string: str = "", expect_heading: str | None = None
) -> int:
    """Ask for one run and read until it has finished; return how many messages came.

    A run the app ends early with ``st.rerun()`` is followed by its rerun, so only a
    successful finish ends the wait. An exception element anywhere in the run fails it, and
    so does a run that never showed ``expect_heading`` (when given): a sign-in page or the
    wrong page answering quickly must not count as the page's rerun.
    """
    await ws.send(_rerun_message(page_name, query_string))
    count = 0
    seen_heading = expect_heading is None
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RunFailed(f"no script_finished within {RUN_TIMEOUT_S:.0f} s")
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for runs recv in a task of its
        # own, and a session cancelled at the window's close could hang on it for ever.
        async with asyncio.timeout(remaining):
            raw = await ws.recv()
        count += 1
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            element_kind = element.WhichOneof("type")
            if element_kind == "exception":
                raise RunFailed(f"the page showed an exception: {element.exception.message}")
            if element_kind == "heading" and element.heading.body == expect_heading:
                seen_heading = True
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                if not seen_heading:
                    raise RunFailed(f"{page_name or 'the page'} did not show {expect_heading!r}")
                return count
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise RunFailed("the script did not compile")
            # FINISHED_EARLY_FOR_RERUN: the rerun it asked for follows on the same socket.


async def _session(
    base_url: str,
    page_name: str,
    query_string: str,
    start: asyncio.Event,
    stop_at: list[float],
    stats: SessionStats,
    ready: asyncio.Queue,
) -> None:
    ws_url, origin = _ws_url(base_url)
    try:
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=origin, max_size=None, open_timeout=60
        ) as ws:
            t0 = time.perf_counter()
            await run_once(ws, page_name, query_string)  # the first run: warms this session
            stats.first_run_s = time.perf_counter() - t0
            await ready.put(True)
            await start.wait()
            while time.monotonic() < stop_at[0]:
                t0 = time.monotonic()
                await run_once(ws, page_name, query_string)
                finished = time.monotonic()
                stats.runs.append((finished, finished - t0))
    except (RunFailed, OSError, TimeoutError, websockets.WebSocketException) as exc:
        stats.errors.append(f"{type(exc).__name__}: {exc}")
        await ready.put(False)


async def measure(
    base_url: str,
    sessions: int = 20,
    seconds: float = 30.0,
    page_name: str = "",
    query_string: str = "",
    warmup_s: float = 5.0,
) -> dict:
    """Open ``sessions`` websockets, run the page once in each, then rerun as fast as the
    server answers; return throughput (runs/s), latencies and errors.

    The sessions start together, so the first reruns finish in a bunch: the measured window
    opens ``warmup_s`` later and closes ``seconds`` after that, while every session is still
    busy, and counts the runs that finished inside it (a steady-state rate).
    """
    start = asyncio.Event()
    stop_at = [float("inf")]
    ready: asyncio.Queue = asyncio.Queue()
    stats = [SessionStats() for _ in range(sessions)]
    tasks = [
        asyncio.create_task(_session(base_url, page_name, query_string, start, stop_at, s, ready))
        for s in stats
    ]
    for _ in range(sessions):
        await ready.get()
    opens = time.monotonic() + warmup_s
    closes = stop_at[0] = opens + seconds
    start.set()
    await asyncio.gather(*tasks)
    window = seconds
    latencies = sorted(d for s in stats for t, d in s.runs if opens <= t <= closes)
    errors = [e for s in stats for e in s.errors]
    firsts = [s.first_run_s for s in stats if s.first_run_s is not None]
    return {
        "sessions": sessions,
        "window_s": round(window, 2),
        "runs": len(latencies),
        "runs_per_s": round(len(latencies) / window, 3) if window else 0.0,
        "rerun_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "rerun_p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else None,
        "first_run_max_s": round(max(firsts), 3) if firsts else None,
        "errors": len(errors),
        "error_samples": errors[:3],
    }


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_values:
        return None
    return sorted_values[int(fraction * (len(sorted_values) - 1))]


def latency_summary(latencies: list[float]) -> dict:
    """Count, p50 and p95 (seconds) of a list of run times."""
    ordered = sorted(latencies)
    p50, p95 = percentile(ordered, 0.5), percentile(ordered, 0.95)
    return {
        "runs": len(ordered),
        "p50_s": round(p50, 3) if p50 is not None else None,
        "p95_s": round(p95, 3) if p95 is not None else None,
    }


@dataclass(frozen=True)
class Page:
    """One page to visit: its url path (``page_name`` in ``rerun_script``) and the heading
    that proves the server drew that page and not another (or a sign-in page)."""

    name: str
    heading: str | None = None


@dataclass
class CycleStats:
    """What one cycling session saw: each run as (page, finished at, seconds), errors."""

    runs: list[tuple[str, float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stopped: bool = False


async def _cycling_session(
    base_url: str,
    pages: tuple[Page, ...],
    offset: int,
    reruns_per_visit: int,
    start: asyncio.Event,
    stats: CycleStats,
    ready: asyncio.Queue,
) -> None:
    """Open one session on page ``offset``, then visit every page in turn (one run to go
    there, ``reruns_per_visit`` reruns of it), forever; the caller cancels it."""
    ws_url, origin = _ws_url(base_url)
    order = pages[offset % len(pages) :] + pages[: offset % len(pages)]
    signalled = False
    try:
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=origin, max_size=None, open_timeout=60
        ) as ws:
            await run_once(ws, order[0].name, expect_heading=order[0].heading)
            await ready.put(True)
            signalled = True
            await start.wait()
            while not stats.stopped:  # the flag too: a cancel can be lost (see measure_pages)
                for page in order:
                    for _ in range(1 + reruns_per_visit):
                        if stats.stopped:
                            return
                        t0 = time.monotonic()
                        await run_once(ws, page.name, expect_heading=page.heading)
                        finished = time.monotonic()
                        stats.runs.append((page.name, finished, finished - t0))
    except (RunFailed, OSError, TimeoutError, websockets.WebSocketException) as exc:
        stats.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if not signalled:
            await ready.put(False)


async def measure_pages(
    base_url: str,
    pages: tuple[Page, ...],
    sessions: int = 20,
    seconds: float = 30.0,
    reruns_per_visit: int = 1,
    warmup_s: float = 5.0,
) -> dict:
    """``sessions`` websockets, each cycling through ``pages`` (session i starts on page
    i, so every page is busy at once); return throughput, p50/p95 overall and per page,
    and errors.

    As in ``measure``, the window opens ``warmup_s`` after every session has drawn its first
    page and counts the runs that finished inside it. At its close the sessions are
    cancelled rather than drained: a run still in flight would otherwise stretch the wall
    time by a whole latency (seconds under load) and is not counted anyway.
    """
    start = asyncio.Event()
    ready: asyncio.Queue = asyncio.Queue()
    stats = [CycleStats() for _ in range(sessions)]
    tasks = [
        asyncio.create_task(_cycling_session(base_url, pages, i, reruns_per_visit, start, s, ready))
        for i, s in enumerate(stats)
    ]
    for _ in range(sessions):
        await ready.get()
    opens = time.monotonic() + warmup_s
    closes = opens + seconds
    start.set()
    await asyncio.sleep(max(0.0, closes - time.monotonic()))
    for s in stats:
        s.stopped = True  # ends a session whose cancel was lost after its current run
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    inside = [(page, d) for s in stats for page, t, d in s.runs if opens <= t <= closes]
    errors = [e for s in stats for e in s.errors]
    out: dict = {
        "sessions": sessions,
        "pages": [p.name for p in pages],
        "reruns_per_visit": reruns_per_visit,
        "window_s": round(seconds, 2),
        "runs_per_s": round(len(inside) / seconds, 3) if seconds else 0.0,
        **latency_summary([d for _, d in inside]),
        "errors": len(errors),
        "error_samples": errors[:3],
        "per_page": {
            p.name: latency_summary([d for name, d in inside if name == p.name]) for p in pages
        },
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ws_load", description=__doc__.splitlines()[0]
    )
    parser.add_argument("url", help="app URL on loopback, e.g. http://127.0.0.1:8500")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--page", default="", help="page url path (default: the first page)")
    parser.add_argument("--query", default="", help="query string, e.g. area=P5")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before the window")
    args = parser.parse_args(argv)
    result = asyncio.run(
        measure(args.url, args.sessions, args.seconds, args.page, args.query, args.warmup)
    )
    print(json.dumps(result, indent=2))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

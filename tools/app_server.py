"""Start the real app (or any Streamlit script) on a free loopback port; used by the browser
tests and the benchmarks alike."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(
    script: Path,
    db_path: Path,
    env: dict[str, str] | None = None,
    timeout_s: float = 90,
    options: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """Run ``streamlit run script`` against ``db_path``; return the process and its URL once
    the health check answers. ``options`` override the defaults below (``{"browser.
    gatherUsageStats": "true"}`` turns on the page profile a benchmark reads)."""
    flags = {
        "server.headless": "true",
        "server.address": "127.0.0.1",
        "browser.gatherUsageStats": "false",
        "server.fileWatcherType": "none",
        "global.developmentMode": "false",
        **(options or {}),
    }
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            *[part for name, value in flags.items() for part in (f"--{name}", value)],
        ],
        cwd=ROOT,
        env={**os.environ, "NLF_DB_PATH": str(db_path), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"streamlit did not start {script} within {timeout_s:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()

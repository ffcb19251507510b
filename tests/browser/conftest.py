"""Start the real app with `streamlit run` on a free port and drive it in Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlf_planner.settings import PROJECT_ROOT
from tools.screenshot import CHROMIUM_ARGS, chromium_path, wait_for_app_run

ARTIFACTS = PROJECT_ROOT / "test-artifacts"

__all__ = ["wait_for_app_run", "app_server", "browser", "page"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(db_path: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(PROJECT_ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            "--global.developmentMode",
            "false",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "NLF_DB_PATH": str(db_path), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


@pytest.fixture(scope="session")
def browser_db_path(seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the seeded data for the server (browser tests may write)."""
    import shutil

    target = tmp_path_factory.mktemp("browser") / "nlf.duckdb"
    shutil.copy(seeded_db_path, target)
    return target


@pytest.fixture(scope="session")
def app_server(browser_db_path: Path) -> Iterator[str]:
    proc, url = start_app(browser_db_path)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        pytest.fail("Chromium is not installed: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

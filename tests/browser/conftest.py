"""Start the real app with `streamlit run` on a free port and drive it in Debian's Chromium."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from nlf_planner.settings import PROJECT_ROOT
from tools.app_server import start_streamlit, stop  # noqa: F401 - stop is re-exported
from tools.screenshot import CHROMIUM_ARGS, chromium_path, wait_for_app_run

ARTIFACTS = PROJECT_ROOT / "test-artifacts"

__all__ = ["wait_for_app_run", "app_server", "browser", "page"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def start_app(db_path: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """The real app on a free port, against ``db_path``."""
    return start_streamlit(PROJECT_ROOT / "app.py", db_path, env, timeout_s=60)


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
        stop(proc)


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

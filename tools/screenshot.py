"""Open a running app page in headless Chromium and save a full-page screenshot.

Usage: python tools/screenshot.py URL OUT.png [--width 1440] [--height 1000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def wait_for_app_run(page, timeout_ms: int = 60_000) -> None:
    """Wait the way Streamlit's own e2e suite does: connected, script not running, no
    skeletons."""
    page.wait_for_timeout(250)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']",
        state="attached",
        timeout=timeout_ms,
    )
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']",
        state="attached",
        timeout=timeout_ms,
    )
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
        timeout=timeout_ms,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        started = time.perf_counter()
        page.goto(args.url)
        wait_for_app_run(page)
        page.wait_for_timeout(800)
        print(f"rendered in {time.perf_counter() - started:.2f}s")
        errors = page.locator("[data-testid='stException']").count()
        print(f"exceptions on page: {errors}")
        page.screenshot(path=args.out, full_page=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

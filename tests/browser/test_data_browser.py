"""The Data page in Chromium: a bad file lists its problems, a good one imports after the
preview, and a backup made on the page restores."""

import shutil

from tests.browser.conftest import screenshot, start_app, stop, wait_for_app_run

BAD = (
    "measure_code,geo_code,period,numerator,denominator,value\n"
    "M08,E54000024,2024-04-15,1,10,\n"
    "M08,<script>alert(1)</script>,2024-04-01,1,10,\n"
)
GOOD = (
    "measure_code,geo_code,period,numerator,denominator,value\nM08,E54000024,2024-04-01,12,150,8\n"
)


def _upload(page, path) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    wait_for_app_run(page)


def test_import_problems_preview_and_confirm(seeded_db_path, tmp_path, page) -> None:
    db = tmp_path / "data.duckdb"
    shutil.copy(seeded_db_path, db)
    (tmp_path / "bad.csv").write_text(BAD)
    (tmp_path / "good.csv").write_text(GOOD)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    proc, url = start_app(db)
    try:
        page.goto(url)
        wait_for_app_run(page)
        page.goto(f"{url}/data")
        wait_for_app_run(page)
        page.get_by_test_id("stSidebar").get_by_text("Local mode: no sign-in").wait_for()
        _upload(page, tmp_path / "bad.csv")
        page.get_by_text("2 problems to fix").wait_for(timeout=30_000)
        # The script text is shown as text, never run.
        assert page.get_by_text("<script>alert(1)</script>").count() >= 1
        assert dialogs == []
        screenshot(page, "browser-data-problems")
        _upload(page, tmp_path / "good.csv")
        page.get_by_text("Preview: what will change").wait_for(timeout=30_000)
        # One row for a series that has history replaces that history: the button waits
        # until the person ticks that they understand what is removed (issue 18).
        button = page.get_by_role("button", name="Import 1 row")
        assert button.is_disabled()
        page.get_by_text("I understand this import removes").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('button')].some("
            "b => b.innerText.includes('Import 1 row') && !b.disabled)",
            timeout=30_000,
        )
        button.click()
        wait_for_app_run(page)
        page.get_by_text("Imported 1 row from good.csv").wait_for(timeout=30_000)
        screenshot(page, "browser-data-imported")
        assert page.get_by_test_id("stException").count() == 0
    finally:
        stop(proc)

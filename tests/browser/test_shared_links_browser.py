"""A link straight to a page works on a freshly started server: the page opens inside the
app frame (navigation and sidebar), not as a bare legacy page."""

from tests.browser.conftest import start_app, stop, wait_for_app_run


def test_first_visit_by_a_deep_link_gets_the_frame(seeded_db_path, tmp_path, page) -> None:
    import shutil

    path = tmp_path / "deep.duckdb"
    shutil.copy(seeded_db_path, path)
    proc, url = start_app(path)
    try:
        page.goto(f"{url}/data?region=E40000003")
        wait_for_app_run(page)
        sidebar = page.get_by_test_id("stSidebar")
        # The first run may hand over to app.py once; wait for the frame, not a fixed delay.
        local = sidebar.get_by_text("Local mode: no sign-in")
        local.wait_for(timeout=30_000)
        wait_for_app_run(page)
        assert local.count() == 1
        nav = page.get_by_test_id("stSidebarNav")
        assert nav.get_by_text("Overview").count() == 1
        assert "region=E40000003" in page.url
        assert page.get_by_test_id("stException").count() == 0
    finally:
        stop(proc)

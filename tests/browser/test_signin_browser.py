"""Sign-in end to end in headless Chromium: the real app with ``[auth]`` configured, against a
local OpenID Connect provider (oidc-provider-mock 0.3.4 from ``.venv-oidc``) on loopback.

The app gets its ``secrets.toml`` through ``--secrets.files`` from a temporary folder, so
nothing is written into the repository's ``.streamlit/``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from nlf_planner.services import audit as audit_service
from nlf_planner.services import users as users_service
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.database import Database, open_store
from nlf_planner.settings import PROJECT_ROOT
from tests.browser.conftest import screenshot, stop, wait_for_app_run

PROVIDER_BIN = PROJECT_ROOT / ".venv-oidc" / "bin" / "oidc-provider-mock"
APP_PORTS = range(8660, 8680)
PROVIDER_PORTS = range(9400, 9420)
SIGN_IN = "Sign in with your NHS account"
ADMIN = Actor("test-admin", "Test admin", frozenset({Role.ADMIN}))

#: The people the provider offers, by what their ID token's roles claim holds.
USERS: dict[str, dict] = {
    "vic": {"name": "Vic Viewer", "roles": ["NLF.Viewer"]},
    "eve": {"name": "Eve Editor", "roles": ["NLF.Editor"]},
    "dan": {"name": "Dan Data", "roles": ["NLF.DataManager"]},
    "ada": {"name": "Ada Admin", "roles": ["NLF.Admin"]},
    "nora": {"name": "Nora Noroles"},  # no roles claim at all
    "una": {"name": "Una Unknown", "roles": ["Superuser"]},
    "rita": {"name": "Rita Regional", "roles": ["NLF.Editor"], "region": "E40000003"},
}


def _claims(sub: str) -> dict:
    return {"sub": sub, "email": f"{sub}@nhs.net", **USERS[sub]}


def _free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {ports.start}–{ports.stop - 1}")


def _wait_for(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail(f"{url} did not answer within {timeout_s:.0f} s")


@dataclass
class SignInApp:
    url: str
    db_path: Path
    provider_url: str


def _start_provider() -> tuple[subprocess.Popen, str]:
    if not PROVIDER_BIN.exists():
        pytest.fail("The OIDC provider is not installed: run `make oidc-provider`")
    port = _free_port(PROVIDER_PORTS)
    args = [str(PROVIDER_BIN), "-p", str(port)]
    for sub in USERS:
        args += ["--user-claims", json.dumps(_claims(sub))]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_for(f"{url}/.well-known/openid-configuration", proc)
    return proc, url


def _start_app(folder: Path, db_path: Path, metadata_url: str) -> tuple[subprocess.Popen, str]:
    port = _free_port(APP_PORTS)
    url = f"http://127.0.0.1:{port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{os.urandom(24).hex()}"\n'
        "[auth.nhs]\n"
        'client_id = "nlf-planner"\n'
        'client_secret = "browser-test"\n'
        f'server_metadata_url = "{metadata_url}"\n'
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(PROJECT_ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            "--global.developmentMode",
            "false",
            "--secrets.files",
            str(secrets),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "NLF_DB_PATH": str(db_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(f"{url}/_stcore/health", proc)
    return proc, url


@pytest.fixture(scope="module")
def signin_app(
    seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SignInApp]:
    folder = tmp_path_factory.mktemp("signin")
    db_path = folder / "nlf.duckdb"
    shutil.copy(seeded_db_path, db_path)
    provider, provider_url = _start_provider()
    try:
        app, url = _start_app(folder, db_path, f"{provider_url}/.well-known/openid-configuration")
        try:
            yield SignInApp(url, db_path, provider_url)
        finally:
            stop(app)
    finally:
        stop(provider)


def _sign_in(page: Page, app: SignInApp, sub: str, path: str = "") -> None:
    """Sign in as ``sub`` at the provider, then open ``path`` (the provider returns to the
    app's home page)."""
    page.goto(app.url)
    wait_for_app_run(page)
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{app.provider_url}/**", timeout=30_000)
    page.locator(f'button[name="sub"][value="{sub}"]').click()
    page.wait_for_url(f"{app.url}/**", timeout=30_000)
    wait_for_app_run(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible(
        timeout=30_000
    )
    if path:
        page.goto(f"{app.url}/{path}")
        wait_for_app_run(page)


def _sidebar_text(page: Page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


@contextmanager
def _copy_of(path: Path) -> Iterator[Database]:
    """The running app holds the file's lock: read a copy of it (and its write-ahead log)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / path.name
        shutil.copy(path, target)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            shutil.copy(wal, target.with_name(target.name + ".wal"))
        db = open_store(target)
        try:
            yield db
        finally:
            db.close()


def _audit_count(path: Path) -> int:
    with _copy_of(path) as db:
        return len(audit_service.audit_log(db, limit=100_000))


def test_a_signed_out_visitor_sees_only_the_sign_in_page(signin_app, page) -> None:
    for path in ("", "plan", "data?section=Backup+and+restore"):
        page.goto(f"{signin_app.url}/{path}")
        wait_for_app_run(page)
        expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
        assert page.get_by_test_id("stSidebar").count() == 0  # no menu, no sidebar
        assert page.get_by_text("Local mode").count() == 0
        assert page.get_by_test_id("stDataFrame").count() == 0
        assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "signin-page")


@pytest.mark.parametrize(
    ("sub", "role_line", "may_edit_plan"),
    [
        ("vic", "Role: viewer", False),
        ("eve", "Role: editor, viewer", True),
        ("dan", "Role: data_manager, viewer", False),
        ("ada", "Role: admin, viewer", True),
        ("nora", "Role: viewer", False),  # no roles claim: viewer
        ("una", "Role: viewer", False),  # unknown role value: viewer
    ],
)
def test_each_person_sees_their_identity_and_only_what_their_role_allows(
    signin_app, page, sub, role_line, may_edit_plan
) -> None:
    _sign_in(page, signin_app, sub, "plan")
    side = _sidebar_text(page)
    assert f"Signed in as {USERS[sub]['name']}" in side
    assert f"{sub}@nhs.net" in side and role_line in side
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    save = page.get_by_role("button", name="Save as a new version")
    viewing_only = page.get_by_text("Viewing only: to edit the plan you need the editor role.")
    if may_edit_plan:
        expect(save).to_be_visible()
        assert viewing_only.count() == 0
    else:
        expect(viewing_only).to_be_visible()
        assert save.count() == 0
    page.goto(f"{signin_app.url}/data?section=People")
    wait_for_app_run(page)
    tabs = page.get_by_role("tab").all_inner_texts()
    assert ("People" in tabs) is (sub == "ada")  # who has signed in: admins only
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, f"signin-{sub}")


def test_the_admin_sees_who_has_signed_in_with_the_role_source(signin_app, page) -> None:
    _sign_in(page, signin_app, "una")
    rita = page.context.browser.new_page()  # another browser profile: another person
    _sign_in(rita, signin_app, "rita")
    assert "Region scope: London" in _sidebar_text(rita)
    rita.context.close()
    admin = page.context.browser.new_page()
    _sign_in(admin, signin_app, "ada", "data?section=People")
    expect(admin.get_by_text("people have signed in")).to_be_visible()
    with _copy_of(signin_app.db_path) as db:
        people = users_service.list_users(db, ADMIN).set_index("Name")
    assert people.loc["Una Unknown", "Where the role came from"] == (
        "default viewer (unknown roles claim 'Superuser')"
    )
    assert people.loc["Rita Regional", "Region scope"] == "London (E40000003)"
    assert "Region scope" not in _sidebar_text(admin)  # an admin covers every region
    screenshot(admin, "signin-admin-people")
    admin.context.close()


def test_a_refused_action_says_which_role_it_needs_and_writes_nothing(signin_app, page) -> None:
    before = _audit_count(signin_app.db_path)
    _sign_in(page, signin_app, "eve", "regions?view=Measure&geo=E40000003&measure=M10")
    page.get_by_text("Notes on this chart").click()
    expect(page.get_by_text("Viewing only: to add notes or rebase this chart")).to_be_visible()
    page.get_by_role("textbox", name="What happened").fill("Programme launched")
    page.get_by_role("button", name="Add note").click()
    wait_for_app_run(page)
    expect(page.get_by_text("You need the data manager role").first).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    assert _audit_count(signin_app.db_path) == before


def test_a_tampered_identity_cookie_is_treated_as_signed_out(signin_app, page) -> None:
    _sign_in(page, signin_app, "ada")
    context = page.context
    cookies = context.cookies()
    auth = [c for c in cookies if c["name"].startswith("_streamlit_user")]
    assert auth, [c["name"] for c in cookies]
    context.clear_cookies()
    for c in cookies:
        if c["name"].startswith("_streamlit_user"):
            value = c["value"]
            c = {**c, "value": value[:-6] + ("A" if value[-6] != "A" else "B") + value[-5:]}
        context.add_cookies([c])
    page.goto(signin_app.url)
    wait_for_app_run(page)
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
    assert page.get_by_text("Signed in as").count() == 0
    assert page.get_by_test_id("stException").count() == 0


def test_signing_out_ends_the_other_tab_and_a_new_tab_is_signed_out(signin_app, page) -> None:
    _sign_in(page, signin_app, "eve")
    other = page.context.new_page()
    other.goto(f"{signin_app.url}/plan")
    wait_for_app_run(other)
    expect(other.get_by_text("Signed in as")).to_be_visible()  # same browser: signed in
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{signin_app.provider_url}/oauth2/end_session**", timeout=30_000)
    page.get_by_role("button", name="End session").click()  # the provider's own sign-out
    page.wait_for_url(f"{signin_app.url}/**", timeout=30_000)
    wait_for_app_run(page)
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
    # The open tab still holds its session; its next run sees the sign-out.
    other.get_by_test_id("stSidebarNav").get_by_text("Overview").click()
    wait_for_app_run(other)
    expect(other.get_by_text("You signed out in another tab")).to_be_visible()
    expect(other.get_by_role("button", name=SIGN_IN)).to_be_visible()
    fresh = page.context.new_page()
    fresh.goto(signin_app.url)
    wait_for_app_run(fresh)
    expect(fresh.get_by_role("button", name=SIGN_IN)).to_be_visible()


def test_a_provider_that_is_down_gets_a_clear_message(seeded_db_path, tmp_path, page) -> None:
    db_path = tmp_path / "nlf.duckdb"
    shutil.copy(seeded_db_path, db_path)
    dead = _free_port(PROVIDER_PORTS)  # nothing listens here
    app, url = _start_app(
        tmp_path, db_path, f"http://127.0.0.1:{dead}/.well-known/openid-configuration"
    )
    try:
        page.goto(url)
        wait_for_app_run(page)
        page.get_by_role("button", name=SIGN_IN).click()
        wait_for_app_run(page)
        expect(
            page.get_by_text("The NHS sign-in service cannot be reached just now")
        ).to_be_visible()
        assert page.url.startswith(url)
        assert page.get_by_test_id("stException").count() == 0
        screenshot(page, "signin-provider-down")
    finally:
        stop(app)


def test_a_region_scoped_editor_is_refused_an_england_target_and_nothing_is_saved(
    signin_app, page
) -> None:
    from tests.browser.test_plan_browser import _edit_first_row_year5

    before = _audit_count(signin_app.db_path)
    _sign_in(page, signin_app, "rita", "plan?area=P5")
    assert "Region scope: London" in _sidebar_text(page)
    _edit_first_row_year5(page, "5.2")  # an England target: outside her region scope
    page.get_by_role("textbox", name="What changed and why").fill("Try a national change")
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    page.get_by_role("button", name="Save as a new version").click()
    wait_for_app_run(page)
    expect(page.get_by_text("only for London").first).to_be_visible()
    assert page.get_by_text("Saved as version").count() == 0
    assert page.get_by_test_id("stException").count() == 0
    assert _audit_count(signin_app.db_path) == before
    screenshot(page, "signin-region-scope-refused")

"""Who the app acts as, through the real app.py in AppTest: local mode only on loopback,
the sign-in page for a signed-out visitor, identity and roles in the sidebar, and the pages
a bad sign-in configuration or an old sign-in leads to."""

from __future__ import annotations

import getpass
import time

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from nlf_planner.services import audit as audit_service
from nlf_planner.services.database import open_store
from nlf_planner.ui import engagement_stakeholders as stakeholders_ui
from tests.apptest_utils import APP, AUTH_SECRETS, TIMEOUT_S, run_page, signed_in

SIGN_IN = "Sign in with your NHS account"


def _app(db_path, monkeypatch, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    monkeypatch.setenv("NLF_DB_PATH", str(db_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    return at


def _sidebar(at: AppTest) -> str:
    return " ".join([m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption])


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.168.1.20", "", None])
def test_local_mode_refuses_a_network_address(seeded_db_path, monkeypatch, address):
    at = _app(seeded_db_path, monkeypatch)
    with patch_config_options({"server.address": address}):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Sign-in is needed on a network address"]
    error = " ".join(e.value for e in at.error)
    assert "no sign-in is configured" in error and "127.0.0.1" in error
    assert "docs/SIGN-IN.md" in " ".join(m.value for m in at.markdown)
    assert not at.sidebar.markdown and not at.dataframe  # nothing else is shown
    assert "_nlf_actor" not in at.session_state


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1"])
def test_local_mode_on_loopback_is_one_local_admin_named_after_the_os_user(
    seeded_db_path, monkeypatch, address
):
    at = _app(seeded_db_path, monkeypatch)
    with patch_config_options({"server.address": address}):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    side = _sidebar(at)
    assert "Local mode: no sign-in" in side and getpass.getuser() in side
    assert not [t for t in at.sidebar.text_input if t.label == "Your name"]  # never typed
    assert at.session_state["_nlf_actor"].display_name == getpass.getuser()


def test_the_shipped_config_listens_on_loopback_only():
    import tomllib

    from nlf_planner.settings import PROJECT_ROOT

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"


def test_a_signed_out_visitor_sees_the_sign_in_page_and_nothing_else(seeded_db_path, monkeypatch):
    at = _app(seeded_db_path, monkeypatch, {"auth": AUTH_SECRETS})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Sign in"]
    assert [b.label for b in at.button] == [SIGN_IN]
    assert not at.sidebar.markdown and not at.dataframe and not at.get("plotly_chart")


def test_sign_in_with_the_provider_down_says_so_plainly(seeded_db_path, monkeypatch):
    # AUTH_SECRETS points at a closed loopback port: the provider cannot be reached.
    at = _app(seeded_db_path, monkeypatch, {"auth": AUTH_SECRETS})
    at.run()
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot be reached just now" in e.value for e in at.error)


@pytest.mark.parametrize(
    ("auth", "problem"),
    [
        ({**AUTH_SECRETS, "cookie_secret": ""}, "[auth] needs cookie_secret"),
        ({k: v for k, v in AUTH_SECRETS.items() if k != "redirect_uri"}, "needs redirect_uri"),
        ({**AUTH_SECRETS, "nhs": {"client_id": "x"}}, "[auth.nhs] needs client_secret"),
        ({**AUTH_SECRETS, "other": AUTH_SECRETS["nhs"]}, "must name one provider section"),
    ],
)
def test_an_incomplete_auth_section_stops_the_app_and_never_falls_back_to_local_mode(
    seeded_db_path, monkeypatch, auth, problem
):
    at = _app(seeded_db_path, monkeypatch, {"auth": auth}, signed_in("Ada", "admin"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Sign-in is not set up correctly"]
    assert any(problem in e.value.replace("\\", "") for e in at.error)
    assert "_nlf_actor" not in at.session_state


def test_a_bad_role_mapping_is_a_settings_problem_not_a_lockout(seeded_db_path, monkeypatch):
    secrets = {"auth": AUTH_SECRETS, "nlf": {"roles": {"NLF.Editor": "superuser"}}}
    at = _app(seeded_db_path, monkeypatch, secrets, signed_in("Eve", "NLF.Editor"))
    at.run()
    assert [t.value for t in at.title] == ["Sign-in is not set up correctly"]
    assert any("'superuser' is not a role" in e.value for e in at.error)


def test_a_configured_role_mapping_is_used(seeded_db_path, monkeypatch):
    secrets = {"auth": AUTH_SECRETS, "nlf": {"roles": {"Planning.Team": "editor"}}}
    at = _app(seeded_db_path, monkeypatch, secrets, signed_in("Pat", "Planning.Team"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Role: editor, viewer" in _sidebar(at)
    assert (
        at.session_state["_nlf_actor"].role_source == "roles claim Planning.Team (settings mapping)"
    )


@pytest.mark.parametrize(
    ("claims", "notice"),
    [
        ({"iat": int(time.time()) - 13 * 3600}, "Your sign-in has expired"),
        ({"iat": None}, "Your sign-in has expired"),
        ({"sub": ""}, "did not say who you are"),
    ],
)
def test_an_old_or_anonymous_sign_in_goes_back_to_the_sign_in_page(
    seeded_db_path, monkeypatch, claims, notice
):
    user = {**signed_in("Ada", "admin"), **claims}
    at = _app(seeded_db_path, monkeypatch, {"auth": AUTH_SECRETS}, user)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.button] == [SIGN_IN]
    assert any(notice in i.value for i in at.info)
    assert "_nlf_actor" not in at.session_state


def test_the_sidebar_shows_name_email_roles_region_scope_and_sign_out(seeded_db_path):
    rita = signed_in("Rita Regional", "NLF.Editor", "NLF.DataManager", region="E40000003")
    at = run_page(None, seeded_db_path, user=rita)
    assert not at.exception, [e.value for e in at.exception]
    side = _sidebar(at).replace("\\", "")
    assert "Signed in as **Rita Regional**" in side
    assert "rita.regional@nhs.net" in side
    assert "Role: data_manager, editor, viewer" in side
    assert "Region scope: London" in side
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert "Local mode" not in side


def test_the_audit_row_names_the_signed_in_person(fresh_seeded_db_path):
    eve = signed_in("Eve Editor", "editor", sub="entra-oid-123")
    opened = {stakeholders_ui.ADD_PANEL: True}  # as a person opens the panel
    at = run_page("engagement", fresh_seeded_db_path, user=eve, session=opened)
    at.text_input(key="add_name").input("North Leaders Network")
    next(b for b in at.button if b.label == "Add stakeholder").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    db = open_store(fresh_seeded_db_path)
    try:
        log = audit_service.audit_log(db, entity="stakeholder")
    finally:
        db.close()
    assert log.iloc[0]["actor"] == "Eve Editor"

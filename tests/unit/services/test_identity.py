"""Claims → actor: roles through the mapping, region scope, viewer by default, loopback and
expiry rules (services.identity)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nlf_planner.services import identity
from nlf_planner.services.actor import LOCAL_ROLES, Role
from nlf_planner.services.identity import (
    IdentitySettings,
    IdentitySettingsError,
    actor_from_claims,
    parse_settings,
)

LONDON = "E40000003"
NORTH_WEST = "E40000010"
REGIONS = {LONDON, NORTH_WEST}


def claims(**extra):
    return {"sub": "alice-sub", "email": "alice@nhs.net", "name": "Alice Smith", **extra}


def test_identity_fields_come_from_the_token_never_from_typed_text():
    actor = actor_from_claims(claims(roles=["editor"]))
    assert (actor.id, actor.display_name, actor.email) == (
        "alice-sub",
        "Alice Smith",
        "alice@nhs.net",
    )
    assert actor.roles == {Role.VIEWER, Role.EDITOR}
    assert actor.region_code is None
    assert "claim value" in actor.role_source and "editor" in actor.role_source


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("viewer", Role.VIEWER),
        ("editor", Role.EDITOR),
        ("data_manager", Role.DATA_MANAGER),
        ("admin", Role.ADMIN),
        ("NLF.Viewer", Role.VIEWER),
        ("NLF.Editor", Role.EDITOR),
        ("NLF.DataManager", Role.DATA_MANAGER),
        ("NLF.Admin", Role.ADMIN),
    ],
)
def test_default_mapping_reads_plain_values_and_entra_app_roles(value, role):
    assert role in actor_from_claims(claims(roles=[value])).roles


@pytest.mark.parametrize(
    ("roles", "why"),
    [
        (None, "no roles claim"),
        ([], "no roles claim"),
        (["superuser"], "unknown roles claim 'superuser'"),
        (["Editor"], "unknown roles claim 'Editor'"),  # case matters: no guessing
        (42, "no roles claim"),
    ],
)
def test_missing_or_unknown_roles_mean_viewer(roles, why):
    extra = {} if roles is None else {"roles": roles}
    actor = actor_from_claims(claims(**extra))
    assert actor.roles == {Role.VIEWER}
    assert actor.role_source == f"default viewer ({why})"


def test_a_lone_string_roles_claim_is_one_value_and_unknown_values_beside_known_are_ignored():
    assert Role.ADMIN in actor_from_claims(claims(roles="admin")).roles
    actor = actor_from_claims(claims(roles=["root", "editor"]))
    assert actor.roles == {Role.VIEWER, Role.EDITOR}


def test_a_configured_mapping_replaces_the_default_one():
    settings = parse_settings({"roles": {"Planner": "editor", "Data.Team": "data_manager"}})
    actor = actor_from_claims(claims(roles=["Planner", "editor"]), settings)
    assert actor.roles == {Role.VIEWER, Role.EDITOR}
    assert actor.role_source == "roles claim Planner (settings mapping)"
    # "editor" is not in the configured mapping, so on its own it grants nothing.
    assert actor_from_claims(claims(roles=["editor"]), settings).roles == {Role.VIEWER}


def test_mapping_with_a_region_scopes_the_role():
    settings = parse_settings({"roles": {"NLF.Editor.London": f"editor:{LONDON}"}})
    actor = actor_from_claims(claims(roles=["NLF.Editor.London"]), settings, REGIONS)
    assert actor.roles == {Role.VIEWER, Role.EDITOR}
    assert actor.region_code == LONDON


def test_region_claim_scopes_an_editor_but_never_an_admin():
    editor = actor_from_claims(claims(roles=["editor"], region=NORTH_WEST), None, REGIONS)
    assert editor.region_code == NORTH_WEST
    assert "region claim E40000010" in editor.role_source
    admin = actor_from_claims(claims(roles=["admin"], region=NORTH_WEST), None, REGIONS)
    assert admin.region_code is None and Role.ADMIN in admin.roles


@pytest.mark.parametrize("region", ["E40000999", "London", "E38000001"])
def test_unknown_region_leaves_only_viewer(region):
    actor = actor_from_claims(claims(roles=["editor"], region=region), None, REGIONS)
    assert actor.roles == {Role.VIEWER}
    assert actor.region_code is None
    assert "unknown region" in actor.role_source


def test_two_region_scopes_at_once_leave_only_viewer():
    settings = parse_settings({"roles": {"ed": f"editor:{LONDON}"}})
    actor = actor_from_claims(claims(roles=["ed"], region=NORTH_WEST), settings, REGIONS)
    assert actor.roles == {Role.VIEWER}
    assert "conflicting region scopes" in actor.role_source


def test_no_subject_is_nobody_and_the_name_falls_back_to_email_then_subject():
    assert actor_from_claims({"email": "x@nhs.net", "roles": ["admin"]}) is None
    assert actor_from_claims({"sub": "s1", "email": "b@nhs.net"}).display_name == "b@nhs.net"
    assert actor_from_claims({"sub": "s2", "preferred_username": "c@nhs.net"}).email == "c@nhs.net"
    assert actor_from_claims({"sub": "s3"}).display_name == "s3"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"roles": {"x": "superuser"}}, "is not a role"),
        ({"roles": {"x": "editor:London"}}, "is not an NHS region code"),
        ({"roles": {"x": f"admin:{LONDON}"}}, "covers every region"),
        ({"roles": ["editor"]}, "must be a table"),
        ({"sign_in_hours": "soon"}, "must be a number"),
        ({"sign_in_hours": 0}, "between 0 and 720"),
    ],
)
def test_bad_settings_are_refused_with_the_entry_named(section, message):
    with pytest.raises(IdentitySettingsError, match=message):
        parse_settings(section)


def test_no_settings_means_the_default_mapping_and_twelve_hours():
    settings = parse_settings(None)
    assert settings == IdentitySettings()
    assert settings.sign_in_hours == 12 and not settings.mapping_configured


def test_local_mode_actor_is_the_os_user_with_every_role():
    actor = identity.local_mode_actor("  asha ")
    assert (actor.id, actor.display_name) == ("local:asha", "asha")
    assert actor.roles == LOCAL_ROLES
    assert actor.role_source == identity.SOURCE_LOCAL


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        (None, False),  # Streamlit's default with no address: every interface
        ("192.168.1.10", False),
        ("nlf.example.nhs.uk", False),
    ],
)
def test_only_loopback_addresses_count_as_local(address, loopback):
    assert identity.is_loopback(address) is loopback


def test_sign_in_expires_after_the_configured_hours_and_without_an_issue_time():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    settings = IdentitySettings(sign_in_hours=12)
    fresh = {"iat": (now - timedelta(hours=11)).timestamp()}
    stale = {"iat": (now - timedelta(hours=13)).timestamp()}
    assert not identity.sign_in_expired(fresh, settings, now)
    assert identity.sign_in_expired(stale, settings, now)
    assert identity.sign_in_expired({}, settings, now)
    assert identity.sign_in_expired({"iat": "yesterday"}, settings, now)
    assert identity.issued_at({"iat": True}) is None


def test_provider_reachable_is_false_for_a_closed_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens on the port once the socket is closed.
    assert identity.provider_reachable(f"http://127.0.0.1:{port}/x", timeout_s=2) is False
    assert identity.provider_reachable("not a url") is False


def test_the_example_secrets_file_holds_usable_settings():
    import tomllib

    from nlf_planner.settings import PROJECT_ROOT

    example = tomllib.loads((PROJECT_ROOT / ".streamlit" / "secrets.example.toml").read_text())
    settings = parse_settings(example["nlf"])
    assert settings.mapping_configured
    london = actor_from_claims(claims(roles=["NLF.Editor.London"]), settings, REGIONS)
    assert london.region_code == LONDON and Role.EDITOR in london.roles
    assert {"redirect_uri", "cookie_secret"} <= set(example["auth"])

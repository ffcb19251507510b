"""Who has signed in (services.users over store.users), against real DuckDB files."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from nlf_planner.services import users as users_service
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.errors import NotAllowed, NotSignedIn
from nlf_planner.services.identity import actor_from_claims
from nlf_planner.store import open_database

ADMIN = Actor("admin-sub", "Ada Admin", frozenset({Role.ADMIN}), email="ada@nhs.net")


def signed_in(sub: str, **claims) -> Actor:
    return actor_from_claims({"sub": sub, "email": f"{sub}@nhs.net", "name": sub.title(), **claims})


def test_sign_ins_are_listed_for_admins_with_role_source_and_region(db):
    users_service.record_sign_in(db, signed_in("bea", roles=["editor"], region="E40000003"))
    users_service.record_sign_in(db, signed_in("cal", roles=["nonsense"]))
    people = users_service.list_users(db, ADMIN)
    assert list(people.columns) == list(users_service.COLUMN_LABELS.values())
    rows = {r["Name"]: r for r in people.to_dict("records")}
    assert rows["Bea"]["Email"] == "bea@nhs.net"
    assert rows["Bea"]["Role"] == "editor, viewer"
    assert rows["Bea"]["Region scope"] == "London (E40000003)"
    assert "claim value" in rows["Bea"]["Where the role came from"]
    assert rows["Cal"]["Role"] == "viewer"
    assert rows["Cal"]["Region scope"] == "All England"
    assert rows["Cal"]["Where the role came from"].startswith("default viewer (unknown roles")


def test_a_second_sign_in_keeps_first_seen_and_refreshes_the_rest(db):
    users_service.record_sign_in(db, signed_in("dee", roles=["viewer"]))
    first = users_service.list_users(db, ADMIN).iloc[0]
    time.sleep(0.01)
    users_service.record_sign_in(db, signed_in("dee", roles=["admin"]))
    again = users_service.list_users(db, ADMIN)
    assert len(again) == 1
    row = again.iloc[0]
    assert row["First seen (UTC)"] == first["First seen (UTC)"]
    assert row["Last seen (UTC)"] > first["Last seen (UTC)"]
    assert row["Role"] == "admin, viewer"


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        (None, NotSignedIn),
        (Actor("v", "Vic", frozenset({Role.VIEWER})), NotAllowed),
        (Actor("e", "Eve", frozenset({Role.EDITOR, Role.DATA_MANAGER})), NotAllowed),
    ],
)
def test_only_admins_may_read_the_list(db, actor, error):
    users_service.record_sign_in(db, signed_in("fay"))
    with pytest.raises(error):
        users_service.list_users(db, actor)


def test_sign_out_ends_sign_ins_issued_before_it_but_not_a_later_one(db):
    gus = signed_in("gus", roles=["editor"])
    users_service.record_sign_in(db, gus)
    before = datetime.now(UTC) - timedelta(seconds=5)
    assert users_service.sign_in_still_current(db, gus, before)
    users_service.record_sign_out(db, gus)
    assert not users_service.sign_in_still_current(db, gus, before)
    assert not users_service.sign_in_still_current(db, gus, None)
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert users_service.sign_in_still_current(db, gus, later)


def test_a_read_only_database_skips_the_record_without_failing(tmp_path, db):
    path = db.path
    db.close()
    read_only = open_database(path)
    read_only.read_only = True  # as when another process holds the file
    try:
        assert users_service.record_sign_in(read_only, signed_in("hal")) is False
        users_service.record_sign_out(read_only, signed_in("hal"))  # no error either
    finally:
        read_only.close()

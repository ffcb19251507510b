"""Audit rows prove who made a change: the signed-in identity (subject and email) is kept
beside the name shown, on both backends, and survives a backup and restore."""

from __future__ import annotations

import pickle
from datetime import date

from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import audit as audit_service
from nlf_planner.services.actor import SYSTEM, Actor, ActorName, Role

ALICE = Actor(
    id="entra:7f3c-alice",
    display_name="Alice Example",
    email="alice.example@nhs.net",
    roles=frozenset({Role.DATA_MANAGER}),
)
ICB = "E54000027"


def _note(db, actor: Actor) -> None:
    annotation_service.add_note(
        db, actor, period=date(2025, 4, 1), text="New programme", measure_code="M10", geo_code=ICB
    )


def test_an_audit_row_keeps_the_signed_in_subject_and_email(db):
    _note(db, ALICE)
    row = audit_service.audit_log(db, entity="annotation").iloc[0]
    assert row["actor"] == "Alice Example"
    assert row["actor_id"] == "entra:7f3c-alice"
    assert row["actor_email"] == "alice.example@nhs.net"


def test_two_people_with_one_name_stay_apart_in_the_log(db):
    twin = Actor(
        id="entra:9a1d-other",
        display_name="Alice Example",
        email="a.example2@nhs.net",
        roles=frozenset({Role.DATA_MANAGER}),
    )
    _note(db, ALICE)
    _note(db, twin)
    log = audit_service.audit_log(db, entity="annotation")
    assert set(log["actor"]) == {"Alice Example"}
    assert set(log["actor_id"]) == {"entra:7f3c-alice", "entra:9a1d-other"}


def test_the_command_line_is_recorded_as_the_system_identity(db):
    _note(db, SYSTEM)
    row = audit_service.audit_log(db, entity="annotation").iloc[0]
    assert row["actor_id"] == SYSTEM.id
    assert row["actor_email"] is None or row["actor_email"] != row["actor_email"]  # NULL/NaN


def test_the_name_carries_its_identity_through_a_pickle():
    name = ALICE.display_name
    assert isinstance(name, ActorName) and name == "Alice Example"
    again = pickle.loads(pickle.dumps(name))
    assert (again, again.subject, again.email) == (
        "Alice Example",
        "entra:7f3c-alice",
        "alice.example@nhs.net",
    )

"""Reading the audit log: filters, filtered rows and recent changes, on the seeded file."""

from __future__ import annotations

from datetime import date

from nlf_planner.services import audit


def test_filter_choices_name_every_entity_and_person_and_the_first_day(fresh_seeded_db) -> None:
    log = audit.audit_log(fresh_seeded_db, limit=100_000)
    assert len(log) > 0
    choices = audit.filter_choices(fresh_seeded_db)
    assert choices.entities == sorted(set(log["entity"].dropna()))
    assert choices.actors == sorted(set(log["actor"].dropna()))
    assert choices.first_change == min(log["changed_at"]).date()


def test_filters_narrow_the_log_and_recent_changes_come_newest_first(fresh_seeded_db) -> None:
    entity = audit.filter_choices(fresh_seeded_db).entities[0]
    rows = audit.audit_log(fresh_seeded_db, entity=entity)
    assert len(rows) > 0 and set(rows["entity"]) == {entity}
    assert audit.audit_log(fresh_seeded_db, since=date(2999, 1, 1)).empty
    recent = audit.recent_changes(fresh_seeded_db, limit=3)
    assert len(recent) == 3
    assert list(recent["audit_id"]) == sorted(recent["audit_id"], reverse=True)


def test_an_empty_log_offers_no_choices(db) -> None:
    choices = audit.filter_choices(db)
    assert (choices.entities, choices.actors, choices.first_change) == ([], [], None)

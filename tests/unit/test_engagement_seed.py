"""The seeded engagement programme follows the June 2016 draft: built with no database.

That the seeding service loads it cleanly, once, is in
``tests/integration/services/test_seeding.py``."""

from __future__ import annotations

from datetime import date

from nlf_planner.engagement import (
    EVENT_TYPES,
    GROUPS,
    default_reference,
    normalise_name,
    validate_event,
    validate_stakeholder,
)
from nlf_planner.engagement_seed import seed_events, seed_stakeholders


def _by_title():
    return {e.title: (e, names) for e, names in seed_events()}


def test_every_seeded_record_is_valid_and_marked_seeded():
    codes = default_reference()
    people = seed_stakeholders()
    for s in people:
        assert s.seeded
        validate_stakeholder(s, codes=codes)
    for e, _ in seed_events():
        assert e.seeded
        validate_event(e, codes=codes)


def test_names_are_unique_and_links_resolve():
    names = [s.name for s in seed_stakeholders()]
    assert len({normalise_name(n) for n in names}) == len(names)
    for e, linked in seed_events():
        assert set(linked) <= set(names), e.title


def test_every_group_and_the_named_organisations_are_present():
    people = seed_stakeholders()
    assert {s.group for s in people} == set(GROUPS)
    joined = " | ".join(s.name for s in people)
    for word in (
        "King's Fund",
        "Health Foundation",
        "Healthcare Improvement",
        "AHSN",
        "Clinical senates",
        "AQuA",
        "Q Initiative",
        "Patient safety",
        "Salford",
        "East London",
        "Western Sussex",
        "Northumbria",
        "Sheffield",
        "Royal colleges",
        "NHS Providers",
        "NHS Clinical Commissioners",
        "NAPP",
        "National Voices",
        "Centre for Patient Leadership",
        "Scotland",
        "Wales",
        "Northern Ireland",
    ):
        assert word in joined, word


def test_dated_events_from_the_draft():
    events = _by_title()
    assert events["Smith reference group"][0].event_date == date(2016, 6, 14)
    assert events["Workshop with a range of NHS staff"][0].event_date == date(2016, 6, 21)
    talent = events["Let's talk talent"][0]
    assert talent.event_date == date(2016, 7, 7) and talent.end_date is None
    assert "P4" in talent.priority_areas


def test_phases_have_end_dates():
    events = _by_title()
    engagement = events["Engagement to check and challenge emerging proposals"][0]
    assert (engagement.event_date, engagement.end_date) == (date(2016, 7, 1), date(2016, 10, 31))
    assert engagement.is_phase
    launch = events["Framework published: Developing People – Improving Care"][0]
    assert launch.event_date.year == 2016 and launch.event_date.month == 12
    review = events["Continually review and refresh"][0]
    assert review.event_date > launch.event_date and review.is_phase
    assert {e.event_type for e, _ in seed_events()} <= set(EVENT_TYPES)


def test_events_are_in_date_order_and_undated_ones_say_so():
    dates = [e.event_date for e, _ in seed_events()]
    assert dates == sorted(dates)
    for e, _ in seed_events():
        if e.is_phase and e.event_date.year == 2016 and e.event_date.month in (4, 6, 7):
            assert e.outcome, e.title


def test_trust_visits_carry_their_region():
    events = seed_events()
    visits = [e for e, _ in events if e.event_type == "visit" and e.region_code]
    assert len(visits) == 8
    assert {e.region_code for e in visits} <= set(default_reference().regions)

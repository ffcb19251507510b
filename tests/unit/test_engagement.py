"""Engagement rules: validation (each rule), quadrants, coverage counts, who has gone quiet."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlf_planner.engagement import (
    FIELD_LABELS,
    GRID_LINE,
    GROUPS,
    HIGH_FROM,
    KEEP_INFORMED,
    KEEP_SATISFIED,
    MANAGE_CLOSELY,
    MONITOR,
    NATIONAL,
    QUADRANTS,
    EngagementValidationError,
    ReferenceCodes,
    add_quadrants,
    check_retire_reason,
    contact_date,
    coverage_counts,
    coverage_gaps,
    coverage_long,
    default_reference,
    latest_event_contacts,
    normalise_name,
    not_contacted,
    quadrant,
    quadrant_counts,
    validate_event,
    validate_stakeholder,
)

LONDON = "E40000003"
NORTH_WEST = "E40000010"


def _stakeholder(**overrides):
    base = {"name": "National Voices", "group": "patient_org", "interest": 4, "influence": 3}
    return {**base, **overrides}


def _problems(callable_, *args, **kwargs) -> list[str]:
    with pytest.raises(EngagementValidationError) as info:
        callable_(*args, **kwargs)
    return info.value.problems


# --- quadrants -----------------------------------------------------------------------------


def test_quadrant_corners():
    assert quadrant(interest=5, influence=5) == MANAGE_CLOSELY
    assert quadrant(interest=1, influence=5) == KEEP_SATISFIED
    assert quadrant(interest=5, influence=1) == KEEP_INFORMED
    assert quadrant(interest=1, influence=1) == MONITOR


def test_quadrant_threshold_is_documented_line():
    # 4 and above is high, 3 and below is low; the grid line sits halfway.
    assert HIGH_FROM == 4 and GRID_LINE == 3.5
    assert quadrant(interest=HIGH_FROM, influence=HIGH_FROM) == MANAGE_CLOSELY
    assert quadrant(interest=HIGH_FROM - 1, influence=HIGH_FROM) == KEEP_SATISFIED
    assert quadrant(interest=HIGH_FROM, influence=HIGH_FROM - 1) == KEEP_INFORMED
    assert quadrant(interest=HIGH_FROM - 1, influence=HIGH_FROM - 1) == MONITOR


@given(st.integers(1, 5), st.integers(1, 5))
def test_quadrant_matches_which_side_of_the_lines(interest, influence):
    q = quadrant(interest, influence)
    assert (q in (MANAGE_CLOSELY, KEEP_SATISFIED)) == (influence > GRID_LINE)
    assert (q in (MANAGE_CLOSELY, KEEP_INFORMED)) == (interest > GRID_LINE)


def test_quadrant_counts_cover_every_quadrant():
    frame = pd.DataFrame({"interest": [5, 5, 1], "influence": [5, 4, 1]})
    counts = quadrant_counts(frame)
    assert list(counts) == list(QUADRANTS)
    assert counts == {MANAGE_CLOSELY: 2, KEEP_SATISFIED: 0, KEEP_INFORMED: 0, MONITOR: 1}
    assert list(add_quadrants(frame)["quadrant"]) == [MANAGE_CLOSELY, MANAGE_CLOSELY, MONITOR]


# --- stakeholder validation ----------------------------------------------------------------


def test_valid_stakeholder_is_normalised():
    s = validate_stakeholder(
        _stakeholder(
            name="  National   Voices ",
            group="Patient organisation",
            region_code="",
            owner="  ",
            next_step=None,
        )
    )
    assert s.name == "National Voices"
    assert s.group == "patient_org"
    assert s.region_code is None and s.owner is None
    assert s.quadrant == KEEP_INFORMED


@pytest.mark.parametrize("field", ["interest", "influence"])
@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "high", None, ""])
def test_interest_and_influence_must_be_whole_numbers_one_to_five(field, value):
    problems = _problems(validate_stakeholder, _stakeholder(**{field: value}))
    assert len(problems) == 1
    assert problems[0].startswith(field.capitalize())
    assert "1 to 5" in problems[0]


@pytest.mark.parametrize("field", ["interest", "influence"])
@pytest.mark.parametrize("value", [1, 5, 3.0, "4"])
def test_interest_and_influence_accept_one_to_five(field, value):
    s = validate_stakeholder(_stakeholder(**{field: value}))
    assert getattr(s, field) == int(float(value))


@pytest.mark.parametrize("name", ["", "   ", None])
def test_name_is_required(name):
    problems = _problems(validate_stakeholder, _stakeholder(name=name))
    assert problems == ["Name is required."]


def test_group_is_required_and_must_be_known():
    assert _problems(validate_stakeholder, _stakeholder(group=None)) == ["Group is required."]
    problems = _problems(validate_stakeholder, _stakeholder(group="charity"))
    assert "'charity' is not a known group" in problems[0]
    for label in GROUPS.values():
        assert label in problems[0]


@pytest.mark.parametrize("code, label", list(GROUPS.items()))
def test_group_accepts_code_or_label_in_any_case(code, label):
    assert validate_stakeholder(_stakeholder(group=label.upper())).group == code
    assert validate_stakeholder(_stakeholder(group=code)).group == code


def test_region_must_be_a_known_region_code():
    assert validate_stakeholder(_stakeholder(region_code=LONDON)).region_code == LONDON
    problems = _problems(validate_stakeholder, _stakeholder(region_code="E54000027"))
    assert "Region 'E54000027' is not an NHS England region code" in problems[0]


def test_region_check_uses_given_codes():
    codes = ReferenceCodes(regions={"R1": "Only"}, areas={"P1": "One"})
    assert validate_stakeholder(_stakeholder(region_code="R1"), codes=codes).region_code == "R1"
    assert _problems(validate_stakeholder, _stakeholder(region_code=LONDON), codes=codes)


def test_duplicate_names_are_case_insensitive_and_trimmed():
    existing = {7: ("National Voices", False)}
    problems = _problems(
        validate_stakeholder, _stakeholder(name="  national   VOICES "), existing=existing
    )
    assert problems == ["Name 'national VOICES' is already used by 'National Voices'."]
    assert normalise_name(" A  b ") == normalise_name("a B")


def test_duplicate_of_a_retired_stakeholder_suggests_restoring():
    problems = _problems(
        validate_stakeholder, _stakeholder(), existing={3: ("National voices", True)}
    )
    assert "retired: restore it instead" in problems[0]


def test_editing_a_stakeholder_does_not_clash_with_itself():
    existing = {7: ("National Voices", False), 8: ("NAPP", False)}
    s = validate_stakeholder(_stakeholder(stakeholder_id=7), existing=existing)
    assert s.stakeholder_id == 7
    assert _problems(validate_stakeholder, _stakeholder(stakeholder_id=8), existing=existing)


def test_last_contact_cannot_be_in_the_future():
    today = date(2026, 11, 30)
    ok = validate_stakeholder(_stakeholder(last_contact="2026-11-30"), today=today)
    assert ok.last_contact == today
    problems = _problems(
        validate_stakeholder, _stakeholder(last_contact=date(2026, 12, 1)), today=today
    )
    assert problems == ["Last contact cannot be in the future."]
    problems = _problems(validate_stakeholder, _stakeholder(last_contact="yesterday"))
    assert "Last contact 'yesterday' is not a date" in problems[0]


def test_every_problem_is_reported_at_once():
    problems = _problems(
        validate_stakeholder,
        {"name": "NHS Providers", "group": "x", "interest": 9, "region_code": "nowhere"},
        existing={1: ("NHS providers", False)},
    )
    assert len(problems) == 5  # group, interest, influence, region, duplicate
    text = " ".join(problems)
    for word in ("Group", "Interest", "Influence", "Region", "already used"):
        assert word in text


def test_error_message_names_the_record():
    with pytest.raises(EngagementValidationError) as info:
        validate_stakeholder(_stakeholder(interest=0))
    assert str(info.value).startswith("National Voices: Interest")


# --- event validation ----------------------------------------------------------------------


def _event(**overrides):
    base = {"event_date": "2016-06-14", "title": "Smith reference group", "event_type": "workshop"}
    return {**base, **overrides}


def test_valid_event_parses_lists_and_labels():
    e = validate_event(
        _event(event_type="Workshop", priority_areas="P1, P2;P2", stakeholder_ids=[3, 3, 1]),
        known_stakeholders={1, 3},
    )
    assert e.event_type == "workshop"
    assert e.priority_areas == ["P1", "P2"]
    assert e.stakeholder_ids == [3, 1]
    assert not e.is_phase


@pytest.mark.parametrize(
    "field, label", [("title", "Title"), ("event_date", "Date"), ("event_type", "Type")]
)
def test_event_required_fields(field, label):
    problems = _problems(validate_event, _event(**{field: None}))
    assert problems == [f"{label} is required."]


def test_event_type_must_be_known():
    problems = _problems(validate_event, _event(event_type="conference"))
    assert "'conference' is not a known type" in problems[0]
    assert "Roundtable" in problems[0]


def test_phase_end_date_must_not_precede_start():
    phase = validate_event(_event(event_date="2016-07-01", end_date="2016-10-31"))
    assert phase.is_phase
    problems = _problems(validate_event, _event(event_date="2016-07-01", end_date="2016-06-30"))
    assert problems == ["The end date is before the start date."]


def test_event_priority_areas_and_stakeholders_must_exist():
    problems = _problems(
        validate_event,
        _event(priority_areas=["P1", "P10"], stakeholder_ids=[1, 99], region_code="XX"),
        known_stakeholders={1},
    )
    text = " ".join(problems)
    assert "P10" in text and "99" in text and "'XX'" in text
    assert len(problems) == 3


# --- coverage ------------------------------------------------------------------------------


def _areas(rows):
    return pd.DataFrame(rows, columns=["event_id", "event_date", "region_code", "priority_area"])


def test_coverage_counts_each_event_once_per_cell_and_keeps_zero_cells():
    codes = default_reference()
    frame = _areas(
        [
            (1, date(2016, 6, 14), None, "P1"),
            (1, date(2016, 6, 14), None, "P1"),  # duplicate row: still one event
            (1, date(2016, 6, 14), None, "P2"),
            (2, date(2016, 7, 1), LONDON, "P1"),
            (3, date(2016, 7, 2), LONDON, "P1"),
            (4, date(2016, 7, 3), NORTH_WEST, "P9"),
            (5, date(2016, 7, 3), "unknown", "P3"),  # unknown region counts as national
            (6, date(2016, 7, 3), LONDON, "P99"),  # unknown area ignored
        ]
    )
    m = coverage_counts(frame, codes)
    assert list(m.index) == list(codes.areas)
    assert list(m.columns) == [*codes.regions, NATIONAL]
    assert m.loc["P1", NATIONAL] == 1
    assert m.loc["P2", NATIONAL] == 1
    assert m.loc["P1", LONDON] == 2
    assert m.loc["P9", NORTH_WEST] == 1
    assert m.loc["P3", NATIONAL] == 1
    assert int(m.to_numpy().sum()) == 6


def test_coverage_respects_the_date_window():
    frame = _areas([(1, date(2016, 6, 14), None, "P1"), (2, date(2017, 1, 5), None, "P1")])
    assert coverage_counts(frame, since=date(2017, 1, 1)).loc["P1", NATIONAL] == 1
    assert coverage_counts(frame, until=date(2016, 12, 31)).loc["P1", NATIONAL] == 1
    assert coverage_counts(frame).loc["P1", NATIONAL] == 2


def test_coverage_counts_a_phase_that_overlaps_the_window():
    frame = pd.DataFrame(
        [(1, date(2017, 1, 1), date(2021, 12, 31), None, "P1"),
         (2, date(2016, 7, 1), pd.NaT, None, "P1")],
        columns=["event_id", "event_date", "end_date", "region_code", "priority_area"],
    )  # fmt: skip
    assert coverage_counts(frame, since=date(2020, 1, 1)).loc["P1", NATIONAL] == 1
    assert coverage_counts(frame, until=date(2016, 12, 31)).loc["P1", NATIONAL] == 1
    assert coverage_counts(frame, since=date(2022, 1, 1)).loc["P1", NATIONAL] == 0
    assert coverage_counts(frame).loc["P1", NATIONAL] == 2


def test_coverage_of_nothing_is_all_zeros_and_every_cell_is_a_gap():
    m = coverage_counts(_areas([]))
    assert m.shape == (9, 8) and int(m.to_numpy().sum()) == 0
    assert len(coverage_gaps(m)) == 72


def test_coverage_long_and_gaps_have_names():
    frame = _areas([(1, date(2016, 6, 14), LONDON, "P4")])
    m = coverage_counts(frame)
    long = coverage_long(m)
    row = long[(long.priority_area == "P4") & (long.region == LONDON)].iloc[0]
    assert row.events == 1 and row.region_name == "London"
    assert row.priority_area_name == "Talent management and succession"
    gaps = coverage_gaps(m, minimum=1)
    assert not ((gaps.priority_area == "P4") & (gaps.region == LONDON)).any()
    assert len(gaps) == 71


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 15),
            st.sampled_from([None, LONDON, NORTH_WEST]),
            st.sampled_from(["P1", "P2", "P5", "P9", "P0"]),
        ),
        max_size=40,
    )
)
def test_coverage_total_is_distinct_known_pairs(rows):
    # An event has one region, so take the first region seen for each id.
    region_of = {}
    for event_id, region, _ in rows:
        region_of.setdefault(event_id, region)
    frame = _areas([(e, date(2016, 6, 1), region_of[e], a) for e, _, a in rows])
    expected = len({(e, a) for e, _, a in rows if a != "P0"})
    assert int(coverage_counts(frame).to_numpy().sum()) == expected


# --- not contacted -------------------------------------------------------------------------


def test_contact_date_rules():
    as_of = date(2016, 8, 1)
    assert contact_date(date(2016, 6, 14), None, as_of) == date(2016, 6, 14)
    assert contact_date(date(2016, 7, 1), date(2016, 10, 31), as_of) == as_of
    assert contact_date(date(2016, 4, 1), date(2016, 6, 30), as_of) == date(2016, 6, 30)
    assert contact_date(date(2016, 9, 1), None, as_of) is None


def test_latest_event_contacts_takes_each_stakeholders_latest_past_contact():
    """A phase counts on its end (capped at today); a future event is not contact yet."""
    log = pd.DataFrame(
        {
            "stakeholder_id": [1, 1, 2, 2, 3],
            "event_date": pd.to_datetime(
                ["2016-06-14", "2016-07-01", "2016-06-01", "2016-09-01", "2016-09-10"]
            ),
            "end_date": pd.to_datetime([None, "2016-10-31", None, None, None]),
        }
    )
    as_of = date(2016, 8, 1)
    assert latest_event_contacts(log, as_of) == {1: as_of, 2: date(2016, 6, 1)}
    assert latest_event_contacts(log.iloc[0:0], as_of) == {}


def _people():
    return pd.DataFrame(
        {
            "name": ["Recent", "Old entered", "Old event", "Never", "Retired", "Boundary"],
            "last_contact": [date(2026, 11, 20), date(2026, 1, 1), None, None, None, None],
            "last_event": [
                None,
                date(2025, 12, 1),
                date(2026, 3, 1),
                None,
                None,
                date(2026, 11, 30) - timedelta(days=30),
            ],
            "retired": [False, False, False, False, True, False],
        }
    )


def test_not_contacted_uses_the_later_of_entered_and_linked_contact():
    out = not_contacted(_people(), 30, as_of=date(2026, 11, 30))
    assert list(out["name"]) == ["Never", "Old entered", "Old event"]  # longest silent first
    # Old entered: entered 1 Jan 2026 is later than its event of 1 Dec 2025.
    row = out.set_index("name").loc["Old entered"]
    assert row.latest_contact == date(2026, 1, 1)
    assert row.days_since_contact == (date(2026, 11, 30) - date(2026, 1, 1)).days
    assert pd.isna(out.set_index("name").loc["Never", "days_since_contact"])


def test_not_contacted_boundary_is_more_than_n_days():
    names = list(not_contacted(_people(), 29, as_of=date(2026, 11, 30))["name"])
    assert "Boundary" in names  # 30 days ago is more than 29
    names = list(not_contacted(_people(), 30, as_of=date(2026, 11, 30))["name"])
    assert "Boundary" not in names and "Retired" not in names


def test_not_contacted_rejects_negative_days():
    with pytest.raises(ValueError):
        not_contacted(_people(), -1)


# --- the rules the service checks before a write -------------------------------------------


def test_duplicate_name_problem_ignores_the_record_itself_and_blank_names():
    from nlf_planner.engagement import duplicate_name_problem

    existing = {7: ("National Voices", False), 8: ("NAPP", True)}
    assert duplicate_name_problem("national voices", existing, own_id=7) is None
    assert (
        duplicate_name_problem("  ", existing) is None and duplicate_name_problem(None, {}) is None
    )
    assert "already used by 'National Voices'" in duplicate_name_problem(
        "NATIONAL voices", existing
    )
    assert duplicate_name_problem("napp", existing).endswith("(retired: restore it instead).")


def test_merge_changes_refuses_ids_seeded_and_unknown_fields():
    from nlf_planner.engagement import (
        EDITABLE_EVENT_FIELDS,
        EDITABLE_STAKEHOLDER_FIELDS,
        Stakeholder,
        merge_changes,
    )

    before = Stakeholder(stakeholder_id=3, **_stakeholder())
    merged = merge_changes(before, {"interest": 1}, EDITABLE_STAKEHOLDER_FIELDS)
    assert merged["interest"] == 1 and merged["stakeholder_id"] == 3
    assert merged["name"] == before.name
    with pytest.raises(EngagementValidationError) as info:
        merge_changes(before, {"seeded": True, "colour": "x"}, EDITABLE_STAKEHOLDER_FIELDS)
    assert info.value.problems == ["Unknown fields: colour, seeded."]
    assert "event_id" not in EDITABLE_EVENT_FIELDS and "stakeholder_ids" in EDITABLE_EVENT_FIELDS


def test_retiring_needs_a_reason():
    from nlf_planner.engagement import check_retire_reason

    assert check_retire_reason("  merged   into X ") == "merged into X"
    for blank in (None, "", " \n "):
        with pytest.raises(EngagementValidationError, match="reason for retiring"):
            check_retire_reason(blank)


def test_logging_contact_needs_an_event_and_someone():
    from nlf_planner.engagement import check_contact

    assert check_contact(4, [2, 1, 2]) == [2, 1]
    with pytest.raises(EngagementValidationError) as info:
        check_contact(None, [])
    assert len(info.value.problems) == 2
    with pytest.raises(EngagementValidationError, match="at least one"):
        check_contact(4, [])


def test_future_last_contact_is_reported_with_other_problems():
    problems = _problems(
        validate_stakeholder,
        {**_stakeholder(interest=0), "last_contact": "2027-01-01"},
        today=date(2026, 11, 30),
    )
    assert "Last contact cannot be in the future." in problems and len(problems) == 2


def test_date_windows_and_coverage_periods():
    from nlf_planner.engagement import (
        COVERAGE_PERIODS,
        ENGAGEMENT_2016,
        EVENT_WINDOWS,
        coverage_period,
        event_window,
    )

    today = date(2026, 11, 30)
    assert event_window("2016", today) == ENGAGEMENT_2016 == coverage_period("2016", today)
    assert event_window("all", today) == (None, None) == event_window("DROP TABLE", today)
    since, until = event_window("recent", today)
    assert since == today - timedelta(days=365) and until > today
    assert coverage_period("12m", today) == (today - timedelta(days=365), today)
    assert coverage_period("3y", today)[1] == today and coverage_period(None, today) == (None, None)
    assert set(EVENT_WINDOWS) == {"all", "2016", "recent"}
    assert set(COVERAGE_PERIODS) == {"all", "2016", "3y", "12m"}


@pytest.mark.parametrize("field", ["name", "owner", "next_step"])
def test_a_control_character_in_stakeholder_text_is_refused_naming_the_field(field):
    """Issue 15: `Acme\x1bTrust` was accepted and then broke every Excel export."""
    data = {"name": "Acme Trust", "group": "provider", "interest": 3, "influence": 3}
    data[field] = "Acme\x1bTrust"
    with pytest.raises(EngagementValidationError) as refused:
        validate_stakeholder(data)
    said = " ".join(refused.value.problems)
    assert "hidden control character (U+001B ESCAPE)" in said
    assert said.startswith(FIELD_LABELS[field])
    assert "\x1b" not in str(refused.value)


def test_event_notes_may_have_line_breaks_but_no_other_control_characters():
    base = {"event_date": date(2026, 11, 2), "title": "Roundtable", "event_type": "roundtable"}
    ok = validate_event({**base, "outcome": "Two points:\r\n- one\n- two"})
    assert ok.outcome.startswith("Two points")
    with pytest.raises(EngagementValidationError, match="Title contains a hidden control"):
        validate_event({**base, "title": "Round\ntable"})
    with pytest.raises(EngagementValidationError, match="Actions contains a hidden control"):
        validate_event({**base, "actions": "Call\x07back"})


def test_a_retire_reason_with_a_control_character_is_refused():
    with pytest.raises(EngagementValidationError, match="Reason contains a hidden control"):
        check_retire_reason("Merged\x00")

"""The rules for chart notes and rebases, without a database: every problem is named."""

from __future__ import annotations

from datetime import date

import pytest

from nlf_planner import annotations as rules
from nlf_planner.geography import ENGLAND_CODE

MEASURES = {"M10", "M08"}
GEOS = {"E40000003", "E54000027"}
TODAY = date(2026, 10, 1)


def _note(**overrides):
    args = {
        "period": date(2020, 1, 1),
        "text": "Programme launched",
        "measure_code": "M10",
        "geo_code": "E40000003",
        "known_measures": MEASURES,
        "known_geos": GEOS,
        "today": TODAY,
        **overrides,
    }
    return rules.note_issues(**args)


def test_a_valid_note_has_no_issues_and_england_or_all_charts_are_allowed():
    assert _note() == []
    assert _note(geo_code=ENGLAND_CODE) == []
    assert _note(measure_code=None, geo_code=None) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"text": "  "}, "text", "cannot be empty"),
        ({"text": None}, "text", "cannot be empty"),
        ({"text": "x" * 201}, "text", "keep it to 200"),
        ({"period": date(2010, 1, 1)}, "period", "on or after 1 Apr 2010"),
        ({"period": None}, "period", "Choose a date"),
        ({"period": "2020-01-01"}, "period", "Choose a date"),
        ({"period": date(2033, 1, 1)}, "period", "too far in the future"),
        ({"measure_code": "M99"}, "measure_code", "Unknown measure 'M99'"),
        ({"geo_code": "E99999999"}, "geo_code", "Unknown region or ICB"),
    ],
)
def test_each_broken_rule_is_named_with_its_field(overrides, field, message):
    issues = _note(**overrides)
    assert len(issues) == 1
    assert issues[0].field == field and message in issues[0].message


def test_every_problem_is_reported_at_once():
    issues = _note(text="", period=date(2010, 1, 1), measure_code="M99", geo_code="X")
    assert [i.field for i in issues] == ["text", "period", "measure_code", "geo_code"]
    assert rules.summary(issues).count(".") >= 4


def test_text_is_stored_without_surrounding_spaces_and_200_characters_is_allowed():
    assert rules.clean_text("  launched \n") == "launched"
    assert rules.clean_text(None) == ""
    assert _note(text=" " + "x" * 200 + " ") == []


def _rebase(**overrides):
    args = {
        "period": date(2021, 4, 1),
        "reason": "New recruitment standard",
        "measure_code": "M08",
        "geo_code": "E40000003",
        "known_measures": MEASURES,
        "known_geos": GEOS,
        "today": TODAY,
        **overrides,
    }
    return rules.rebase_issues(**args)


def test_a_rebase_needs_a_reason_and_one_per_chart_and_date():
    assert _rebase() == []
    assert [i.field for i in _rebase(reason="")] == ["reason"]
    assert "reason for the rebase" in _rebase(reason=" ")[0].message
    dup = _rebase(existing=[date(2021, 4, 1)])
    assert [i.message for i in dup] == ["There is already a rebase at 1 Apr 2021."]
    assert _rebase(existing=[date(2021, 5, 1)]) == []


def test_removing_a_rebase_needs_a_reason():
    assert "removing the rebase" in rules.removal_issues("")[0].message
    assert rules.removal_issues("Entered in error") == []


def test_notes_and_rebases_reach_back_to_the_import_limit_before_the_framework(monkeypatch):
    monkeypatch.delenv("NLF_EARLIEST_PERIOD", raising=False)
    assert rules.earliest() == date(2010, 4, 1)
    assert _note(period=date(2015, 4, 1)) == []  # a pre-framework baseline can be noted
    monkeypatch.setenv("NLF_EARLIEST_PERIOD", "2014-04")
    assert rules.earliest() == date(2014, 4, 1)
    (issue,) = _note(period=date(2013, 4, 1))
    assert issue.message == "The date must be on or after 1 Apr 2014."
    monkeypatch.setenv("NLF_EARLIEST_PERIOD", "soon")  # unusable: the default, not a crash
    assert rules.earliest() == date(2010, 4, 1)

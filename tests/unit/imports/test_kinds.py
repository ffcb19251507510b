"""The one list of import kinds: keys the URL uses, labels, columns and example rows."""

from __future__ import annotations

import pytest

from nlf_planner.imports import IMPORT_KINDS, example_rows, import_kind


def test_the_kinds_the_data_page_offers_in_order():
    assert [(k, v.label) for k, v in IMPORT_KINDS.items()] == [
        ("measurements", "Measurements"),
        ("plan_targets", "Plan targets"),
        ("plan_milestones", "Plan milestones"),
        ("stakeholders", "Stakeholders"),
        ("engagement_events", "Engagement events"),
    ]
    assert all(k.help and k.columns and k.lookups for k in IMPORT_KINDS.values())


def test_example_rows_start_from_the_column_examples():
    first, second = example_rows("measurements")
    assert first["measure_code"] == "M08" and first["period"] == "2024-04-01"
    assert second == {**first, "period": "2024-05-01", "numerator": "11", "value": ""}
    assert len(example_rows("stakeholders")) == 1


def test_an_unknown_kind_is_named_in_the_message():
    with pytest.raises(KeyError, match="no import of kind 'budgets'"):
        import_kind("budgets")

"""Regions domain rules that need only small inputs: formatting, badges, an empty model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlf_planner import regions as R
from nlf_planner.units import format_value


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (58.34, "percent", "58.3%"),
        (7.214, "score_0_10", "7.21"),
        (3.44, "years", "3.4 years"),
        (None, "percent", "—"),
        (np.nan, "percent", "—"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_badges_carry_letters_and_words():
    assert R.variation_badge("improvement_high") == "[H] Special-cause improvement (high)"
    assert R.variation_badge("concern_low").startswith("[L] Special-cause concern")
    assert R.assurance_badge("consistent_fail").startswith("[F] Will consistently fail")
    assert R.variation_short("common_cause") == "SPC [C] common cause"
    assert R.variation_counts(["improvement_high", "concern_low", "improvement_low"]) == (
        "SPC: 2 improvement, 1 concern"
    )
    assert R.assurance_badge(None) == "No target"
    assert R.comparison_text("worse") == "▼ Worse than England"


def test_empty_model_does_not_fail():
    empty = pd.DataFrame(
        columns=[
            "measure_code",
            "geo_code",
            "geo_level",
            "period",
            "numerator",
            "denominator",
            "value",
            "ci_low",
            "ci_high",
            "illustrative",
        ]
    )
    m = R.build_model(empty, [], [], [], [])
    assert m.cells.empty and m.results == {}

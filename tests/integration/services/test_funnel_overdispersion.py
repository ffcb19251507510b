"""Issue 16, case 3, on the default generated data: the ICS funnel allows for overdispersion,
so it flags a handful of ICSs instead of nearly all of them, says how in its subtitle and
text, and colours and names the better and worse ICSs by the measure's polarity."""

from __future__ import annotations

import pytest

from nlf_planner.compare import Adjustment, Comparison
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import regions_view
from nlf_planner.services.database import open_store
from nlf_planner.store.plans import load_plan

#: At most this many of the 42 ICSs outside the 99.8% limits for any proportion measure. The
#: limits that ignored overdispersion put 40 outside for M10 and M17 and 36 for M07.
MOST_OUTSIDE = 5


@pytest.fixture(scope="module")
def model(seeded_db_path):
    db = open_store(seeded_db_path)
    try:
        return regions_view.build_regions_model(db, load_plan(db))
    finally:
        db.close()


def _outside(view) -> int:
    return int((view.funnel.data.position == "outside 99.8% limits").sum())


def test_the_funnel_flags_a_handful_of_icss_not_nearly_all(model):
    proportions = [m.code for m in model.measures.values() if m.is_proportion]
    assert "M10" in proportions
    for code in proportions:
        view = regions_view.benchmark_view(model, code, ENGLAND_CODE)
        assert _outside(view) <= MOST_OUTSIDE, (code, _outside(view))


def test_chance_alone_still_shows_why_the_adjustment_is_needed(model):
    """The unadjusted option reproduces what the issue saw: nearly every ICS outside."""
    plain = regions_view.benchmark_view(model, "M10", ENGLAND_CODE, "95%", "Chance alone")
    adjusted = regions_view.benchmark_view(model, "M10", ENGLAND_CODE)
    assert _outside(plain) >= 35
    assert _outside(adjusted) < _outside(plain)
    od_phi = adjusted.funnel.data.phi.iloc[0]
    assert od_phi > 10  # ICSs of tens of thousands of staff differ far beyond chance
    assert "none (φ = " in plain.funnel.figure.layout.title.text


def test_the_adjustment_phi_and_tau_are_on_the_chart_in_the_text_and_the_csv(model):
    view = regions_view.benchmark_view(model, "M10", ENGLAND_CODE)
    data = view.funnel.data
    phi, tau = data.phi.iloc[0], data.tau.iloc[0]
    assert (data.adjustment == Adjustment.RANDOM_EFFECTS.value).all()
    title = view.funnel.figure.layout.title.text
    assert f"additive random effects (φ = {phi:.3g}, τ = {tau:.3f})" in title
    assert f"φ = {phi:.3g}" in view.funnel.summary and f"τ = {tau:.3f}" in view.funnel.summary
    counts = data.comparison.value_counts()
    better = counts.get(Comparison.BETTER.value, 0)
    worse = counts.get(Comparison.WORSE.value, 0)
    similar = counts.get(Comparison.SIMILAR.value, 0)
    assert better + worse + similar == 42
    assert (
        f"{better} better than expected, {worse} worse than expected, {similar} similar"
        in view.funnel.summary
    )
    for name in data[data.comparison != Comparison.SIMILAR.value].name:
        assert name in view.funnel.summary
    # Each ICS's row carries the limits at its own size and agrees with its reading.
    above = data.value > data.upper998
    assert (data.comparison[above] == Comparison.BETTER.value).all()  # higher is better


def test_lower_is_better_puts_better_below_the_funnel(model):
    view = regions_view.benchmark_view(model, "M08", ENGLAND_CODE, "95%", "Chance alone")
    data = view.funnel.data
    below = data[data.value < data.lower998]
    assert not below.empty
    assert (below.comparison == Comparison.BETTER.value).all()
    names = {t.name for t in view.funnel.figure.data if t.mode == "markers"}
    assert "Better than expected (below 99.8% limit)" in names

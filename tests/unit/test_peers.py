"""Peer groups: validation, nearest neighbours and the peers' aggregate, by hand."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from nlf_planner import peers
from nlf_planner.models import Measure
from nlf_planner.peers import PeerGroup, PeerGroupInvalid

Z = 1.959963984540054
LEVELS = {"R1": "region", "R2": "region", "R3": "region", **{f"I{i}": "icb" for i in range(1, 45)}}
PCT = Measure(
    code="M10", name="Trained", area_code="P6", unit="percent",
    polarity="higher_is_better", frequency="monthly", baseline=10,
)  # fmt: skip
SCORE = Measure(
    code="M04", name="Score", area_code="P3", unit="score_0_10",
    polarity="higher_is_better", frequency="annual", baseline=7,
)  # fmt: skip
MAY = date(2026, 5, 1)


def _group(**kw) -> PeerGroup:
    base = {"name": "ICSs like ours", "home_geo": "I1", "level": "icb", "members": ("I2", "I3")}
    return PeerGroup(**{**base, **kw})


def _fields(group: PeerGroup) -> list[str]:
    return [i.field for i in peers.validate(group, LEVELS, ["M10"])]


def test_a_good_group_passes_and_is_normalised():
    g = peers.check(_group(name="  Ours  ", members=("I3", "I2", "I3")), LEVELS)
    assert g.name == "Ours" and g.members == ("I2", "I3")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "Name"),
        ({"name": "x" * 81}, "Name"),
        ({"name": "bad\x1bname"}, "Name"),
        ({"members": ("I2",)}, "Members"),
        ({"members": tuple(f"I{i}" for i in range(2, 44))}, "Members"),  # 42 peers
        ({"members": ("I1", "I2", "I3")}, "Members"),  # home among its peers
        ({"members": ("I2", "R2")}, "Members"),  # a region in an ICS group
        ({"home_geo": "R1"}, "Home area"),
        ({"home_geo": "nowhere"}, "Home area"),
        ({"method": "nearest"}, "Basis measure"),
        ({"method": "nearest", "basis_measure": "M99"}, "Basis measure"),
        ({"level": "trust"}, "Level"),
    ],
)
def test_each_rule_names_its_field(change, field):
    assert field in _fields(_group(**change))


def test_every_issue_is_reported_at_once():
    bad = _group(name="", home_geo="R1", members=("R1",))
    with pytest.raises(PeerGroupInvalid) as err:
        peers.check(bad, LEVELS)
    found = {i.field for i in err.value.issues}
    assert found == {"Name", "Home area", "Members"}
    assert len(err.value.issues) >= 4  # home in members, wrong level, too few, no name


def test_eighty_characters_and_forty_one_peers_are_allowed():
    ok = _group(name="x" * 80, members=tuple(f"I{i}" for i in range(2, 43)))
    assert _fields(ok) == []


def _series(rows) -> pd.DataFrame:
    cols = ["measure_code", "geo_code", "period", "numerator", "denominator", "value",
            "ci_low", "ci_high"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def test_nearest_neighbours_by_absolute_difference_ties_by_code():
    # Home 20.0; I5 21.0 (1.0), I4 19.0 (1.0, tie: I4 first by code), I3 22.5 (2.5),
    # I2 30 (10); I6 has no value at the home's latest period; an older I7 is ignored.
    rows = [("M10", g, MAY, None, None, v, None, None) for g, v in
            [("I1", 20.0), ("I2", 30.0), ("I3", 22.5), ("I4", 19.0), ("I5", 21.0)]]  # fmt: skip
    rows += [("M10", "I7", date(2026, 4, 1), None, None, 20.0, None, None),
             ("M10", "I6", MAY, None, None, None, None, None),
             ("M08", "I2", MAY, None, None, 20.0, None, None)]  # fmt: skip
    got = peers.nearest_neighbours(_series(rows), "M10", "I1", LEVELS, k=3)
    assert got.geo_code.tolist() == ["I4", "I5", "I3"]
    assert got.distance.tolist() == pytest.approx([1.0, 1.0, 2.5])
    assert got["rank"].tolist() == [1, 2, 3]
    assert peers.nearest_neighbours(_series(rows), "M10", "nowhere", LEVELS, k=3).empty


def test_proportion_aggregate_is_sum_over_sum_with_a_wilson_interval():
    rows = [
        ("M10", "I2", MAY, 30, 100, 30.0, None, None),
        ("M10", "I3", MAY, 50, 200, 25.0, None, None),
        ("M10", "I4", date(2026, 4, 1), 90, 100, 90.0, None, None),  # another month
        ("M10", "I1", MAY, 120, 300, 40.0, None, None),  # the home, 40% of 300
    ]
    agg = peers.aggregate(_series(rows), PCT, ("I2", "I3", "I4"), MAY)
    assert agg.value == pytest.approx(100 * 80 / 300)  # not the mean of 30% and 25%
    assert (agg.numerator, agg.denominator) == (80, 300)
    # Wilson by hand: p = 80/300, z = 1.96: (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n)
    p, n = 80 / 300, 300
    centre, half = p + Z * Z / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    assert agg.low == pytest.approx(100 * (centre - half) / (1 + Z * Z / n))
    assert agg.high == pytest.approx(100 * (centre + half) / (1 + Z * Z / n))
    assert agg.low == pytest.approx(21.9806, abs=1e-3) and agg.high == pytest.approx(
        31.9427, abs=1e-3
    )
    assert agg.used == ("I2", "I3") and agg.missing == ("I4",)
    # The home (40%, Wilson 34.6–45.7%) lies wholly above 26.7%: better than its peers.
    home = _group(members=("I2", "I3", "I4"))
    res = peers.compare_with_peers(_series(rows), PCT, home, MAY)
    assert res.comparison == "better" and res.label == "Better than peers' aggregate"
    assert res.home_low > res.peers.value


def test_score_aggregate_is_the_denominator_weighted_mean():
    # 7.0 over 100 and 8.0 over 300: (700 + 2400) / 400 = 7.75. Intervals ±0.196 and ±0.098
    # (se 0.1 and 0.05): se = √((0.25·0.1)² + (0.75·0.05)²) = √(0.000625 + 0.00140625).
    rows = [
        ("M04", "I2", MAY, 700, 100, 7.0, 7.0 - Z * 0.1, 7.0 + Z * 0.1),
        ("M04", "I3", MAY, 2400, 300, 8.0, 8.0 - Z * 0.05, 8.0 + Z * 0.05),
        ("M04", "I1", MAY, 600, 80, 7.5, 7.4, 7.6),
    ]
    agg = peers.aggregate(_series(rows), SCORE, ("I2", "I3"), MAY)
    se = math.sqrt(0.000625 + 0.00140625)
    assert agg.value == pytest.approx(7.75)
    assert (agg.low, agg.high) == pytest.approx((7.75 - Z * se, 7.75 + Z * se))
    assert agg.rule == peers.MEAN_RULE
    res = peers.compare_with_peers(_series(rows), SCORE, _group(), MAY)
    assert res.comparison == "worse"  # 7.4–7.6 lies wholly below 7.75


def test_no_peer_data_is_not_compared():
    rows = [("M10", "I1", MAY, 10, 100, 10.0, None, None)]
    res = peers.compare_with_peers(_series(rows), PCT, _group(), MAY)
    assert not res.has_peers and res.comparison == "not compared"
    frame = peers.comparison_frame([res], {"I1": "Home", "I2": "Two"})
    assert frame.loc[0, "home"] == "Home" and "Two" in frame.loc[0, "peers_without_data"]

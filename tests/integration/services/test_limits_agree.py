"""One set of limits everywhere (issue 17): a fixed baseline and a chart type, set through
the real services by a data manager, reach every surface that shows a limit, and taking
them back returns every surface to the unfixed XmR limits.

On a fresh seeded database: a "before launch" fix on every chart of M10 (monthly percent;
``baselines.before_launch`` on England's result, ``services.annotations.add_baseline`` with
no geography) and M08 (monthly percent) set to the Laney p′-chart
(``services.chart_types``). Then the regions model built afresh, the cached model the pages
read (``regions_view.model_for_version``), the measure view (metrics, the chart's limit
traces, the CSV frame), the regions summary table and matrix, the Overview tiles and the board decks
of England and London (summary matrix, exception slides' facts and charts, the HTML pack)
all say the same mean, limits and chart.
The limits themselves are checked against the formulas: XmR on the 8 points before launch,
and the p′ reference of ``tests.unit.test_spc_pchart_reference`` on England's counts.
Each change writes one audit row naming it in words and moves the data version. And the
preview a person confirms shows the figures the saved fix then gives.
"""

from __future__ import annotations

import html
import io
import math
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from nlf_planner import baselines as baseline_rules
from nlf_planner import export, overview
from nlf_planner.deck import DeckChoices
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import audit as audit_service
from nlf_planner.services import chart_types as chart_type_service
from nlf_planner.services import plan_editing, regions_view
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.database import data_version
from nlf_planner.services.deck import build_deck
from nlf_planner.services.errors import ValidationFailed
from nlf_planner.spc import ASSURANCE_LABEL, VARIATION_LABEL, VariationIcon
from nlf_planner.units import format_value
from tests.integration.services.test_page_and_deck_agree import _pptx_tables
from tests.unit.test_spc_pchart_reference import reference

LONDON = "E40000003"
ICB = "E54000027"  # an ICB in London
GEOS = (ENGLAND_CODE, LONDON, ICB)
FIXED = "M10"  # Staff trained in improvement: monthly percent, before-launch fix
PRIME = "M08"  # Executive director posts vacant or interim: monthly percent, Laney p′
CODES = (PRIME, FIXED)
MANAGER = Actor(id="sso:dm", display_name="Dana Data", roles=frozenset({Role.DATA_MANAGER}))
FLAGS = ("beyond_limit", "trend", "two_of_three", "shift")


def _r(values) -> tuple:
    """Values to compare exactly across surfaces (NaN as None, rounded past float noise)."""
    return tuple(None if pd.isna(v) else round(float(v), 9) for v in values)


def _pdf_words(data: bytes) -> str:
    """The text the PDF pack draws, as a reader's PDF viewer extracts it (one space for any
    run of whitespace, so a table cell wrapped over two lines still reads as one)."""
    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pages))


def _close(got, want) -> bool:
    """Engine against the reference formulas: equal to 1e-9 (percent), NaN where NaN."""
    got = np.array([np.nan if v is None else v for v in got], dtype=float)
    return bool(np.allclose(got, np.asarray(want, dtype=float), rtol=0, atol=1e-9, equal_nan=True))


def _limit_traces(figure) -> dict[str, object]:
    """The chart's upper limit, lower limit and mean traces (named in the legend:
    "Process limits", "Process limits (trial)", "Process limits (Laney p′-chart)")."""
    named = {t.name: t for t in figure.data if t.name}
    upper = [t for n, t in named.items() if n.startswith("Process limits")]
    assert len(upper) == 1, list(named)
    return {"upl": upper[0], "lpl": named["Lower process limit"], "mean": named["Mean"]}


def _check_traces(figure, res, where) -> None:
    """Every limit the chart draws is the result's limit at that period, and every period
    with a limit has one drawn (p and p′ limits step with each period's denominator)."""
    at = {pd.Timestamp(p): i for i, p in enumerate(res.periods)}
    for key, trace in _limit_traces(figure).items():
        want = getattr(res, key)
        seen = set()
        for x, y in zip(trace.x, trace.y, strict=True):
            if y is None or pd.isna(y):
                continue
            i = at[pd.Timestamp(x)]
            assert math.isclose(float(y), float(want[i]), abs_tol=1e-9), (where, key, x)
            seen.add(i)
        assert seen == set(np.flatnonzero(~np.isnan(want))), (where, key)


def _surfaces(db, plan) -> dict:
    """What every surface says about the two measures' limits, in comparable form; the
    checks that the surfaces agree with the model are made on the way."""
    fresh = regions_view.build_regions_model(db, plan)
    page_model = regions_view.model_for_version(db, plan.version_id)  # what pages read
    out: dict = {}
    table = regions_view.regions_domain.summary_table(page_model, list(GEOS), list(CODES))
    rows = {(r.measure_code, r.geo_code): r for _, r in table.iterrows()}
    for code in CODES:
        m = page_model.measures[code]
        fmt = lambda v, m=m: format_value(v, m.unit)  # noqa: E731
        for geo in GEOS:
            where = (code, geo)
            res = fresh.result(code, geo)
            cached = page_model.result(code, geo)
            # the model the pages read is the one built afresh: no stale cache
            for key in ("mean", "lpl", "upl", "in_baseline", "fixed"):
                assert _r(getattr(cached, key)) == _r(getattr(res, key)), (where, key)
            assert cached.chart_type == res.chart_type, where
            view = regions_view.measure_view(db, page_model, code, geo)
            metrics = {x.label: x.value for x in view.metrics}
            assert metrics["Mean"] == fmt(res.latest("mean")), where
            assert metrics["Lower limit"] == fmt(res.latest("lpl")), where
            assert metrics["Upper limit"] == fmt(res.latest("upl")), where
            _check_traces(view.figure, res, where)
            data = view.data  # the chart's CSV download
            assert _r(data.lower_limit) == _r(res.lpl), where
            assert _r(data.upper_limit) == _r(res.upl), where
            assert _r(data["mean"]) == _r(res.mean), where
            assert data.in_baseline.tolist() == res.in_baseline.tolist(), where
            assert data.fixed_baseline.tolist() == res.fixed.tolist(), where
            assert set(data.chart_type) == {res.chart_type}, where
            # the beyond-limit flag is the values against the limits in that very frame
            beyond = (data.value > data.upper_limit) | (data.value < data.lower_limit)
            assert data.beyond_limit.tolist() == beyond.tolist(), where
            row = rows[where]
            assert row.chart_type == res.chart_label, where
            assert (row["mean"], row.lower_limit, row.upper_limit) == (
                metrics["Mean"],
                metrics["Lower limit"],
                metrics["Upper limit"],
            ), where
            out[where] = {
                "chart_type": res.chart_type,
                "label": res.chart_label,
                "mean": _r(res.mean),
                "lpl": _r(res.lpl),
                "upl": _r(res.upl),
                "in_baseline": tuple(res.in_baseline.tolist()),
                "fixed": tuple(res.fixed.tolist()),
                "flags": tuple(tuple(data[f].tolist()) for f in FLAGS),
                "metrics": metrics,
                "reading": view.reading,
                "variation": view.variation,
                "assurance": view.assurance,
                "table": (row.chart_type, row.variation, row.assurance),
            }
        # Overview: the tile of each priority area's headline measure (M08 P5, M10 P6)
        for geo in (ENGLAND_CODE, LONDON):
            tiles = overview.area_tiles(
                page_model.areas, list(page_model.measures.values()), page_model.series, geo
            )
            tile = next(t for t in tiles if t.measure.code == code)
            reading = overview.tile_reading(page_model.cells, tile, geo, page_model.names)
            seen = out[(code, geo)]
            assert reading.spc == f"SPC: {seen['variation']}", (code, geo)
            assert reading.assurance == f"Assurance: {seen['assurance']}", (code, geo)
            seen["tile"] = (reading.spc, reading.assurance)
            # the Regions matrix's full text for the cell carries the same assurance words
            matrix = regions_view.matrix_view(page_model, geo, by_measure=True).matrix
            column = next(c for c in matrix.text.columns if c.startswith(f"{code} "))
            full = matrix.text.loc[page_model.names[geo], column]
            assert seen["assurance"] in full, (code, geo, full)
            seen["matrix"] = full
    out["deck"] = _deck(db, out, ENGLAND_CODE)
    out["deck_london"] = _deck(db, out, LONDON)
    return out


def _deck(db, seen: dict, geo: str) -> dict:
    """The board deck of ``geo``: the summary matrix row of each measure (mean, limits and
    the chart named when not XmR) and, for a measure with an exception slide, its facts
    table (mean, chart), its chart's limits and its reading."""
    deck = build_deck(db, DeckChoices(region=geo))
    summary = next(s for s in deck.slides if s.key == "summary")
    matrix = summary.tables[0].data
    found = {}
    for code in CODES:
        mine = seen[(code, geo)]
        row = matrix[matrix.Measure.str.startswith(f"{code} ")].iloc[0]
        limits = f"{mine['metrics']['Lower limit']} – {mine['metrics']['Upper limit']}"
        named = "" if mine["chart_type"] == "xmr" else f" ({mine['label']})"
        trial = " (trial)" if row.Limits.startswith(limits + " (trial)") else ""
        assert row.Limits == limits + trial + named, (code, row.Limits)
        assert row.Mean == mine["metrics"]["Mean"], code
        found[code] = {"limits": row.Limits}
        slide = next((s for s in deck.slides if s.key == f"exception-{code}"), None)
        if slide is not None:
            facts = slide.tables[0].data.iloc[0]
            assert facts["Limits from"] == mine["label"], code
            assert facts["Mean"] == mine["metrics"]["Mean"], code
            assert slide.narrative == mine["reading"], code
            traces = _limit_traces(slide.figures[0])
            drawn = {k: _r(t.y) for k, t in traces.items()}
            for key in ("upl", "lpl", "mean"):
                assert drawn[key] == mine[key], (code, key)
            found[code]["exception"] = (facts["Limits from"], facts["Mean"], drawn)
    assert "limits are from an XmR chart unless the table names a p- or p′-chart" in (
        summary.narrative
    )
    # the HTML pack prints the matrix's own words (limits and the chart they came from)
    page = export.to_html(deck).decode()
    for code in CODES:
        assert html.escape(found[code]["limits"]) in page, code
    found["has_exception"] = {c: "exception" in found[c] for c in CODES}
    return found


def _audit(db) -> pd.DataFrame:
    return audit_service.audit_log(db)


def _new_rows(db, before: int) -> pd.DataFrame:
    log = _audit(db)
    assert len(log) == before + 1, "one audit row per change"
    return log.iloc[0]  # newest first


def test_a_fix_and_a_chart_type_reach_every_surface_and_undoing_them_restores_it(
    fresh_seeded_db,
) -> None:
    db = fresh_seeded_db
    plan = plan_editing.load_plan(db)
    names = {m.code: m.name for m in regions_view.build_regions_model(db, plan).measures.values()}
    before = _surfaces(db, plan)
    for where in [(c, g) for c in CODES for g in GEOS]:
        assert before[where]["chart_type"] == "xmr" and not any(before[where]["fixed"])
        assert all(before[where]["in_baseline"])
    england = regions_view.build_regions_model(db, plan).result(FIXED, ENGLAND_CODE)

    # 1. "Baseline = before launch, compare after" on every chart of M10.
    suggestion = baseline_rules.before_launch(england)  # the framework launched in Dec 2016
    assert suggestion.fix == baseline_rules.FixedBaseline(None, until=date(2016, 11, 1))
    version, rows = data_version(db), len(_audit(db))
    fix_id = annotation_service.add_baseline(
        db, MANAGER, FIXED, None, suggestion.fix, suggestion.reason
    )
    assert data_version(db) != version
    row = _new_rows(db, rows)
    assert (row.entity, row.action, row.actor) == ("spc_baseline", "add", "Dana Data")
    assert row.description == f"fixed SPC baseline on {FIXED} {names[FIXED]}, every area"

    # 2. M08 on the Laney p′-chart.
    version, rows = data_version(db), len(_audit(db))
    chart_type_service.set_chart_type(db, MANAGER, PRIME, "pp", "Large denominators")
    assert data_version(db) != version
    row = _new_rows(db, rows)
    assert (row.entity, row.actor) == ("spc_chart_type", "Dana Data")
    assert row.description == f"SPC chart type of {PRIME} {names[PRIME]}: Laney p′-chart"

    after = _surfaces(db, plan)
    for geo in GEOS:
        fixed = after[(FIXED, geo)]
        assert fixed["chart_type"] == "xmr" and all(fixed["fixed"])
        # the first 8 points (Apr–Nov 2016, before Dec 2016) carry the limits, no others
        assert fixed["in_baseline"] == (True,) * 8 + (False,) * (len(fixed["fixed"]) - 8)
        assert fixed["upl"] != before[(FIXED, geo)]["upl"]
        assert "Limits fixed on the 8 points" in fixed["reading"]
        prime = after[(PRIME, geo)]
        assert prime["chart_type"] == "pp" and prime["label"] == "Laney p′-chart"
        assert prime["table"][0] == "Laney p′-chart"
        assert prime["reading"].endswith("Limits from a Laney p′-chart.")
        assert not any(prime["fixed"]) and all(prime["in_baseline"])
        assert len(set(prime["upl"])) > 1  # limits step with each month's denominator
    assert after["deck"][PRIME]["limits"].endswith(" (Laney p′-chart)")
    # England's M08 is an exception before and after (off trajectory): its slide's facts
    # and chart were checked against the measure view above, on the XmR and p′ charts.
    assert before["deck"]["has_exception"][PRIME] and after["deck"]["has_exception"][PRIME]
    assert after["deck"][PRIME]["exception"][0] == "Laney p′-chart"
    # the PowerPoint and PDF packs print the matrix's words too (the chart named)
    deck = build_deck(db, DeckChoices(region=ENGLAND_CODE))
    pptx = [c for t in _pptx_tables(export.to_pptx(deck, {})) for r in t for c in r]
    pdf = _pdf_words(export.to_pdf(deck, {}))
    for code in CODES:
        assert after["deck"][code]["limits"] in pptx, code
        # the PDF's built-in fonts (cp1252) have no ′: it prints p' there
        assert after["deck"][code]["limits"].replace("′", "'") in pdf, code
    # London's deck has an exception slide for both: the fixed limits reach its chart too
    assert after["deck_london"]["has_exception"] == {PRIME: True, FIXED: True}
    assert after["deck_london"][FIXED]["exception"][2]["upl"] == after[(FIXED, LONDON)]["upl"]
    assert after["deck"][FIXED]["limits"].endswith(" (trial)")  # 8 points < 12: trial limits
    # The limits are the formulas' (England): XmR on the 8 points before launch …
    fixed = regions_view.build_regions_model(db, plan).result(FIXED, ENGLAND_CODE)
    base = np.asarray(fixed.values[:8], dtype=float)
    ranges = np.abs(np.diff(base))
    assert (ranges < 3.267 * ranges.mean()).all()  # no moving range screened out
    mean, amr = base.mean(), ranges.mean()
    assert math.isclose(fixed.latest("mean"), mean, abs_tol=1e-9)
    assert math.isclose(fixed.latest("upl"), mean + 2.66 * amr, abs_tol=1e-9)
    assert math.isclose(fixed.latest("lpl"), mean - 2.66 * amr, abs_tol=1e-9)
    # … and Laney's p′ on England's counts (no rebase, no fix on M08)
    series = regions_view.build_regions_model(db, plan).series
    counts = series[(series.measure_code == PRIME) & (series.geo_code == ENGLAND_CODE)]
    counts = counts.dropna(subset=["value"]).sort_values("period")
    ref = reference(
        [p.date() if hasattr(p, "date") else p for p in counts.period],
        counts.numerator.astype(float).tolist(),
        counts.denominator.astype(float).tolist(),
        prime=True,
    )
    for key in ("mean", "lpl", "upl"):
        assert _close(after[(PRIME, ENGLAND_CODE)][key], ref[key]), key
    # the CSV's rule flags are the reference's on those limits (beyond, two of three, shift)
    flags = dict(zip(FLAGS, after[(PRIME, ENGLAND_CODE)]["flags"], strict=True))
    assert flags["beyond_limit"] == tuple(ref["beyond"])
    assert flags["two_of_three"] == tuple(ref["two_of_three"])
    assert flags["shift"] == tuple(ref["shift"])
    assert any(flags["shift"]) and flags != dict(
        zip(FLAGS, before[(PRIME, ENGLAND_CODE)]["flags"], strict=True)
    )  # the p′ limits change which points signal

    # 3. Take both back: every surface is as it was before, word for word.
    version, rows = data_version(db), len(_audit(db))
    annotation_service.remove_baseline(db, MANAGER, fix_id, "Back to all points")
    assert data_version(db) != version
    row = _new_rows(db, rows)
    assert (row.entity, row.action) == ("spc_baseline", "delete")
    assert row.description == f"fixed SPC baseline on {FIXED} {names[FIXED]}, every area"
    version, rows = data_version(db), len(_audit(db))
    chart_type_service.set_chart_type(db, MANAGER, PRIME, "xmr", "Back to Making Data Count")
    assert data_version(db) != version
    row = _new_rows(db, rows)
    assert row.description == f"SPC chart type of {PRIME} {names[PRIME]}: XmR chart"

    undone = _surfaces(db, plan)
    assert undone == before


def _after_figures(preview) -> dict[str, str]:
    return {c.name: c.after for c in preview.changes}


def _shown_figures(view) -> dict[str, str]:
    """The latest point's figures as the measure view shows them, named as the preview
    names them."""
    res = view.result
    metrics = {x.label: x.value for x in view.metrics}
    assurance = res.assurance_icon
    return {
        "Mean": metrics["Mean"],
        "Lower limit": metrics["Lower limit"],
        "Upper limit": metrics["Upper limit"],
        "Variation (latest point)": VARIATION_LABEL[res.variation_icon or VariationIcon.COMMON],
        "Assurance (latest point)": ASSURANCE_LABEL[assurance] if assurance else "No target",
    }


@pytest.mark.parametrize(
    ("code", "geo", "wide"),
    [(PRIME, LONDON, False), (FIXED, ENGLAND_CODE, True)],
    ids=["p-prime-this-chart", "xmr-every-chart"],
)
def test_the_preview_shows_the_limits_the_confirmed_fix_gives(fresh_seeded_db, code, geo, wide):
    """What a person confirms is what they saw: the preview's figures after the fix (on
    the p′-chart for M08, so the preview reruns the engine with the denominators) are the
    measure view's once the fix is saved, read from the cached model the page uses."""
    db = fresh_seeded_db
    plan = plan_editing.load_plan(db)
    chart_type_service.set_chart_type(db, MANAGER, PRIME, "pp", "Large denominators")
    model = regions_view.model_for_version(db, plan.version_id)
    view = regions_view.measure_view(db, model, code, geo)
    fix = view.before_launch.fix
    shown = view.preview(fix, measure_wide=wide)
    assert shown.applied and shown.baseline_points == 8
    expected = _after_figures(shown)
    assert expected["Upper limit"] != {c.name: c.before for c in shown.changes}["Upper limit"]
    annotation_service.add_baseline(
        db, MANAGER, code, None if wide else geo, fix, view.before_launch.reason
    )
    model = regions_view.model_for_version(db, plan.version_id)
    after = regions_view.measure_view(db, model, code, geo)
    assert after.result.chart_type == ("pp" if code == PRIME else "xmr")
    got = _shown_figures(after)
    assert {k: expected[k] for k in got} == got


def test_a_fixed_baseline_on_a_p_prime_chart_gives_laneys_limits_on_those_points(fresh_seeded_db):
    """Both at once on one measure (M10: before-launch fix on every chart, then the p′
    chart): p̄ and σz come from the 8 points before launch only, for England and London
    alike, and the measure view and summary table show those limits and the chart."""
    db = fresh_seeded_db
    plan = plan_editing.load_plan(db)
    model = regions_view.model_for_version(db, plan.version_id)
    fix = baseline_rules.before_launch(model.result(FIXED, ENGLAND_CODE)).fix
    annotation_service.add_baseline(db, MANAGER, FIXED, None, fix, "Before launch")
    chart_type_service.set_chart_type(db, MANAGER, FIXED, "pp", "Large denominators")
    model = regions_view.model_for_version(db, plan.version_id)
    table = regions_view.regions_domain.summary_table(model, [ENGLAND_CODE, LONDON], [FIXED])
    for geo in (ENGLAND_CODE, LONDON):
        res = model.result(FIXED, geo)
        assert res.chart_type == "pp" and res.fixed.all() and res.in_baseline.sum() == 8
        rows = model.series[(model.series.measure_code == FIXED) & (model.series.geo_code == geo)]
        rows = rows.dropna(subset=["value"]).sort_values("period")
        ref = reference(
            [pd.Timestamp(p).date() for p in rows.period],
            rows.numerator.astype(float).tolist(),
            rows.denominator.astype(float).tolist(),
            prime=True,
            fixed={0: ("until", date(2016, 11, 1))},
        )
        for key in ("mean", "lpl", "upl"):
            assert _close(getattr(res, key), ref[key]), (geo, key)
        assert res.in_baseline.tolist() == ref["in_baseline"]
        view = regions_view.measure_view(db, model, FIXED, geo)
        _check_traces(view.figure, res, geo)
        metrics = {x.label: x.value for x in view.metrics}
        assert metrics["Upper limit"] == format_value(ref["upl"][-1], "percent")
        row = table[table.geo_code == geo].iloc[0]
        assert (row.chart_type, row.upper_limit) == ("Laney p′-chart", metrics["Upper limit"])
        assert "Limits fixed on the 8 points" in view.reading
        assert "Limits from a Laney p′-chart." in view.reading


@pytest.mark.duckdb_only
def test_the_pdf_pack_names_the_laney_chart_in_characters_it_can_draw(fresh_seeded_db) -> None:
    """A board reading the PDF must see which chart the limits came from, not a '?' (the
    built-in fonts have only cp1252, which has no ′; HE-findings 0e)."""
    db = fresh_seeded_db
    chart_type_service.set_chart_type(db, MANAGER, PRIME, "pp", "Large denominators")
    deck = build_deck(db, DeckChoices(region=ENGLAND_CODE))
    pdf = _pdf_words(export.to_pdf(deck, {}))
    assert "p?-chart" not in pdf and "p?" not in pdf
    assert "(Laney p'-chart)" in pdf  # the summary matrix
    assert "Limits from a Laney p'-chart." in pdf  # the exception slide's reading


def test_no_rebase_is_suggested_inside_a_fixed_baseline(fresh_seeded_db) -> None:
    """A fix on the points before launch is there to judge later points against them: the
    page must not then offer a rebase that falls among those points (it would split the
    fixed segment and leave every later point on unfixed limits)."""
    db = fresh_seeded_db
    plan = plan_editing.load_plan(db)
    model = regions_view.build_regions_model(db, plan)
    suggestion = baseline_rules.before_launch(model.result(FIXED, LONDON))
    annotation_service.add_baseline(db, MANAGER, FIXED, LONDON, suggestion.fix, suggestion.reason)
    model = regions_view.build_regions_model(db, plan)
    view = regions_view.measure_view(db, model, FIXED, LONDON)
    res = view.result
    assert res.fixed.all() and res.in_baseline.sum() == 8
    last_base = pd.Timestamp(res.periods[np.flatnonzero(res.in_baseline)[-1]]).date()
    assert view.suggested_rebase is None or view.suggested_rebase > last_base, (
        view.suggested_rebase,
        view.reading,
    )
    assert "fitted across the process before and after it" not in view.reading
    assert "The suggested rebase is" not in view.reading
    # and a rebase among the fixed points is refused, before anything is written
    with pytest.raises(ValidationFailed, match="falls inside this chart's fixed baseline"):
        annotation_service.add_rebase(
            db,
            MANAGER,
            measure_code=FIXED,
            geo_code=LONDON,
            period=date(2016, 8, 1),
            reason="The shift's start",
        )
    assert annotation_service.rebases_for(db, FIXED, LONDON).empty

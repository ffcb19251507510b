"""The regions view model: SPC for every series, comparisons with England and progress
against the plan, built once and read by the Overview, Regions and Present pages and the
board deck, so their icons and readings can never disagree.

Besides building the model, this use case answers each Regions view (matrix, measure,
benchmark, profile) with everything the page draws: the figure, the data behind it for the
CSV download, the text alternative, the choices for its pickers. The page only renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from nlf_planner import baselines as baseline_rules
from nlf_planner import regions as regions_domain
from nlf_planner.charts.compare import benchmark_bars, funnel_plot, matrix_figure, spine_chart
from nlf_planner.charts.spc import spc_figure
from nlf_planner.compare import Adjustment
from nlf_planner.geography import ENGLAND_CODE, ENGLAND_NAME
from nlf_planner.models import Measure
from nlf_planner.peers import PeerComparison
from nlf_planner.periods import label as period_label
from nlf_planner.plan import Plan
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import cache, plan_editing
from nlf_planner.services import chart_types as chart_type_service
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services import reference as reference_service
from nlf_planner.spc import SPCOptions, SPCResult, suggest_rebase
from nlf_planner.spc_points import point_flags
from nlf_planner.store import Database
from nlf_planner.units import format_value

RegionsModel = regions_domain.RegionsModel
Matrix = regions_domain.Matrix

VIEWS = ("Matrix", "Measure", "Benchmark", "Profile")
#: The MDC summary table's columns, in the order the pages show them.
SUMMARY_ORDER = (
    "measure",
    "period",
    "latest",
    "vs_england",
    "variation",
    "assurance",
    "trajectory",
    "progress",
    "target",
    "mean",
    "lower_limit",
    "upper_limit",
    "chart_type",
    "reading",
)
#: Benchmark levels a person can judge against, label → confidence.
LEVELS = {"95%": 0.95, "99.8%": 0.998}
#: How the funnel may allow for overdispersion, label → method (the first is the default).
FUNNEL_ADJUSTMENTS = {
    "Random effects": Adjustment.RANDOM_EFFECTS,
    "Multiplicative": Adjustment.MULTIPLICATIVE,
    "Chance alone": Adjustment.NONE,
}


def model_key(db: Database, plan: Plan | None) -> tuple:
    """What the model depends on: the file, its data (the data version, which rebases also
    move), the plan version and the SPC run length. Equal keys give equal models, so callers
    may cache on it; it reads nothing but the version pinned for this run."""
    return (
        str(db.path),
        cache.current_version(db),
        plan.version_id if plan is not None else None,
        SPCOptions.default().run_length,
    )


def build_regions_model(db: Database, plan: Plan | None, series=None) -> RegionsModel:
    """The model for ``plan`` (None = no plan lines) from the database's series, built
    afresh (the reads behind it are cached per data version; the SPC is not).

    ``series`` may be passed when the caller already holds them (a cached read)."""
    return regions_domain.build_model(
        series if series is not None else measurement_service.all_series(db),
        reference_service.measures(db),
        reference_service.priority_areas(db),
        reference_service.regions(db),
        reference_service.icbs(db),
        rebases=annotation_service.all_rebases(db),
        plan=plan,
        options=SPCOptions.default(),
        fixed_baselines=annotation_service.all_baselines(db),
        chart_types=chart_type_service.chart_types(db),
    )


@cache.per_data_version(maxsize=4)
def _model_for_version(db: Database, plan_version_id: int | None, run_length: int) -> RegionsModel:
    plan = plan_editing.load_plan(db, plan_version_id) if plan_version_id is not None else None
    return build_regions_model(db, plan)


def model_for_version(db: Database, plan_version_id: int | None) -> RegionsModel:
    """The model for a saved plan version (None = no plan), built once per data version
    and shared by every page and session of the process: treat it as read-only. The plan
    itself is read only when the model has to be built, so a rerun with no new data reads
    neither the plan nor the series."""
    return _model_for_version(db, plan_version_id, SPCOptions.default().run_length)


def model_ready(db: Database, plan_version_id: int | None) -> bool:
    """Whether :func:`model_for_version` would answer at once (a page spins only if not)."""
    return _model_for_version.is_cached(db, plan_version_id, SPCOptions.default().run_length)


def regions_model(db: Database, plan: Plan | None) -> RegionsModel:
    """The model for ``plan``: the cached one of its saved version, or, for a plan not yet
    saved (no version id, nothing else identifies it), one built afresh."""
    if plan is not None and plan.version_id is None:
        return build_regions_model(db, plan)
    return model_for_version(db, plan.version_id if plan is not None else None)


def _value_format(m: Measure) -> str:
    return ".2f" if m.unit == "score_0_10" else ".1f"


# --------------------------------------------------------------------------- choices


def geography_choices(model: RegionsModel, region: str) -> dict[str, str]:
    """England, the 7 regions and the ICSs (of the sidebar region, or all of them)."""
    opts = {ENGLAND_CODE: ENGLAND_NAME}
    opts.update({r.code: r.name for r in model.regions})
    icbs = model.icbs_in(region) if region != ENGLAND_CODE else model.icbs
    opts.update({i.code: f"{i.name} (ICS)" for i in icbs})
    return opts


def profile_choices(model: RegionsModel, region: str) -> dict[str, str]:
    """The areas that have a profile: every region, and the ICSs of the sidebar region."""
    opts = geography_choices(model, region)
    del opts[ENGLAND_CODE]
    return opts


def measure_choices(model: RegionsModel) -> dict[str, str]:
    return {c: f"{m.area_code} · {c} {m.name}" for c, m in model.measures.items()}


def area_choices(model: RegionsModel) -> dict[str, str]:
    """The matrix's priority-area filter ('' = all of them)."""
    return {"": "All priority areas", **{a.code: f"{a.code} {a.name}" for a in model.areas}}


# --------------------------------------------------------------------------- matrix


@dataclass(frozen=True)
class MatrixView:
    """The tartan rug for one scope, with its heading, text alternative and cell pickers.

    ``red_red`` counts the scope's results that are worse than England and getting worse
    (``worsening``); with ``red_red_only`` the rug keeps only the areas (and columns) that
    have one, England for reference, and ``notice`` says so, or, when none has one, why
    nothing is drawn (``figure`` is then None)."""

    matrix: Matrix
    heading: str
    figure: go.Figure | None
    summary: str
    csv: pd.DataFrame
    geo_options: dict[str, str]
    column_options: dict[str, str]
    red_red: int = 0
    red_red_only: bool = False
    notice: str = ""


def matrix_view(
    model: RegionsModel,
    region: str,
    *,
    by_measure: bool = False,
    area: str | None = None,
    red_red_only: bool = False,
) -> MatrixView:
    """The regions (or one region's ICSs) × priority areas, or × measures of ``area``;
    ``red_red_only`` keeps the areas worse than England and getting worse on at least one
    of the columns' measures (and, by measure, only those measures)."""
    geos = regions_domain.geographies(model, region)
    scope = (
        "the 7 NHS regions"
        if region == ENGLAND_CODE
        else f"{model.names[region]} and its {len(geos) - 2} ICSs"
    )
    in_scope = model.measures_in(area) if by_measure and area else list(model.measures.values())
    reds = regions_domain.red_red_cells(model, geos, [m.code for m in in_scope])
    if red_red_only:
        flagged = set(reds.geo_code)
        geos = [g for g in geos if g == ENGLAND_CODE or g in flagged]
    if by_measure:
        only = list(dict.fromkeys(reds.measure_code)) if red_red_only else None
        matrix = regions_domain.measure_matrix(model, geos, area or None, measure_codes=only)
        what = f"the measures of {area_choices(model)[area]}" if area else "every measure"
        labels = [f"{c} {model.measure(c).name}" for c in matrix.column_codes]
    else:
        only = list(dict.fromkeys(reds.area_code)) if red_red_only else None
        matrix = regions_domain.area_matrix(model, geos, area_codes=only)
        what = "the nine priority areas"
        labels = [f"{a.code} {a.name}" for a in model.areas if a.code in matrix.column_codes]
    mark = regions_domain.RED_RED_MARK
    subtitle = "Latest values against England (95% intervals), SPC and progress against the plan"
    heading = f"How {scope} compare on {what}"
    notice = ""
    if red_red_only:
        subtitle = (
            f"Only areas worse than England and getting worse ({mark}); England for reference"
        )
        heading = f"Where {scope} are worse than England and getting worse, on {what}"
        areas = len(geos) - 1
        notice = (
            f"Showing the {areas} area{'' if areas == 1 else 's'} worse than England and "
            f"getting worse ({mark}) on at least one measure: {len(reds)} result"
            f"{'' if len(reds) == 1 else 's'} in all, with England for reference."
            if len(reds)
            else f"No area in {scope} is both worse than England and getting worse on {what}, "
            "so there is nothing to show with this filter."
        )
    figure = (
        matrix_figure(
            matrix.tile,
            matrix.tone,
            matrix.text,
            title=f"{scope[0].upper()}{scope[1:]} × {what}<br><sup>{subtitle}</sup>",
            column_labels=labels,
        )
        if matrix.column_codes
        else None
    )
    return MatrixView(
        matrix=matrix,
        heading=heading,
        figure=figure,
        summary=regions_domain.matrix_summary(model, matrix) if figure is not None else notice,
        csv=matrix.to_csv_frame(),
        geo_options={g: model.names[g] for g in geos},
        column_options=dict(zip(matrix.column_codes, matrix.text.columns, strict=True)),
        red_red=len(reds),
        red_red_only=red_red_only,
        notice=notice,
    )


def cell_at(matrix: Matrix, point_index: int) -> tuple[str, str] | None:
    """The (geography, column code) of a clicked tile; tiles are numbered row by row."""
    n_cols = len(matrix.column_codes)
    if not 0 <= point_index < n_cols * len(matrix.geo_codes):
        return None
    return matrix.geo_codes[point_index // n_cols], matrix.column_codes[point_index % n_cols]


def drill_target(model: RegionsModel, column_code: str, kind: str) -> str:
    """The measure a cell opens: itself, or an area's headline measure (else its first)."""
    if kind != "area":
        return column_code
    ms = model.measures_in(column_code)
    pick = next((m for m in ms if m.headline), ms[0] if ms else None)
    return pick.code if pick else next(iter(model.measures))


# --------------------------------------------------------------------------- measure


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str | None = None


@dataclass(frozen=True)
class MeasureView:
    """One SPC chart and everything around it. ``result`` is None (or empty) without data."""

    measure: Measure
    geo_code: str
    geo_name: str
    result: SPCResult | None
    figure: go.Figure | None = None
    data: pd.DataFrame | None = None
    reading: str = ""
    has_plan_line: bool = False
    metrics: tuple[Metric, ...] = ()
    variation: str = ""
    assurance: str = ""
    context: str = ""
    area_table: pd.DataFrame | None = None
    notes: pd.DataFrame | None = None
    rebases: pd.DataFrame | None = None
    suggested_rebase: date | None = None
    #: Fixed baselines (issue 17): the chart's segments as the form offers them, the fixes
    #: that bear on it (its own and its measure's, ``geo_code`` None), the suggestions a
    #: person may confirm, and a warning per segment on trial limits.
    segments: tuple[baseline_rules.Segment, ...] = ()
    fixes: pd.DataFrame | None = None
    before_launch: baseline_rules.Suggestion | None = None
    suggested_fix: baseline_rules.Suggestion | None = None
    trial_warnings: tuple[str, ...] = ()
    rebase_dates: tuple[date, ...] = ()
    denominators: tuple[float, ...] | None = None

    @property
    def has_data(self) -> bool:
        return self.result is not None and not self.result.empty

    def own_fixed_segments(self) -> set[date | None]:
        """The segments this chart fixes itself (a measure-wide fix does not change them)."""
        if self.fixes is None or self.fixes.empty:
            return set()
        own = self.fixes[self.fixes.geo_code == self.geo_code]
        return set(own.segment_start)

    def preview(self, fix: baseline_rules.FixedBaseline, measure_wide: bool = False):
        """What ``fix`` would make of this chart (the engine on its series, run only when a
        person asks), before they confirm it."""
        return baseline_rules.preview_fix(
            self.result,
            fix,
            unit=self.measure.unit,
            rebases=self.rebase_dates,
            denominators=self.denominators,
            own_segments=self.own_fixed_segments(),
            measure_wide=measure_wide,
            frequency=self.measure.frequency,
        )


def _metrics(m: Measure, cell: pd.Series) -> tuple[Metric, ...]:
    fmt = lambda v: format_value(v, m.unit)  # noqa: E731
    target = cell.get("target")
    return (
        Metric("Latest", fmt(cell.value), period_label(cell.period, m.frequency)),
        Metric("Target", fmt(target) if pd.notna(target) else "—"),
        Metric("Mean", fmt(cell["mean"])),
        Metric("Lower limit", fmt(cell.lower_limit)),
        Metric("Upper limit", fmt(cell.upper_limit)),
    )


def _context(m: Measure, cell: pd.Series) -> str:
    """'Against England (x): **▲ Better** · Plan: …' — what the metrics do not say."""
    bits = []
    if cell.geo_code != ENGLAND_CODE:
        england = format_value(cell.england_value, m.unit)
        bits.append(
            f"Against England ({england}): **{regions_domain.comparison_text(cell.comparison)}**"
        )
    plan_text = regions_domain.plan_progress_text(cell, m.unit)
    if plan_text:
        bits.append(plan_text)
    return " · ".join(bits)


def measure_view(
    db: Database, model: RegionsModel, measure_code: str, geo_code: str
) -> MeasureView:
    """The SPC chart of one measure in one place: limits, icons, plan line and horizon
    targets, people's notes and rebases, the reading, and a rebase the data suggest."""
    m = model.measure(measure_code)
    res = model.result(measure_code, geo_code)
    name = model.names.get(geo_code, geo_code)
    if res is None or res.empty:
        return MeasureView(measure=m, geo_code=geo_code, geo_name=name, result=res)
    cell = model.cell(measure_code, geo_code)
    notes = annotation_service.notes_for(db, measure_code, geo_code)
    line = regions_domain.plan_line(model, measure_code, geo_code)
    frame = res.to_frame()
    labels = [period_label(d.date(), m.frequency) for d in frame.period]
    # The CSV carries, per point, when its special cause began and why, in the chart's words.
    reasons = point_flags(res, labels)
    frame["special_cause_since"] = reasons["special_cause_since"].to_numpy()
    frame["why"] = reasons["why"].to_numpy()
    figure = spc_figure(
        res,
        title=f"{m.name} — {name}<br><sup>SPC chart of the {m.frequency} "
        f"{regions_domain.UNIT_TITLE.get(m.unit, m.unit_label)}: mean, process limits, "
        "plan</sup>",
        y_title=m.unit_label,
        value_format=_value_format(m),
        period_labels=labels,
        plan_line=line,
        horizon_targets=regions_domain.horizon_targets(model, measure_code, geo_code),
        annotations=notes,
        rebase_reasons=annotation_service.rebase_reasons(db, measure_code, geo_code),
    )
    if line is not None:
        frame = frame.merge(
            line.assign(period=pd.to_datetime(line.period)), on="period", how="left"
        )
    area_codes = [x.code for x in model.measures_in(m.area_code)]
    rebases = annotation_service.rebases_for(db, measure_code, geo_code)
    rebase_dates = tuple(rebases.period)
    return MeasureView(
        measure=m,
        geo_code=geo_code,
        geo_name=name,
        result=res,
        figure=figure,
        data=frame,
        reading=regions_domain.reading(model, measure_code, geo_code),
        has_plan_line=line is not None,
        metrics=_metrics(m, cell),
        variation=regions_domain.variation_badge(cell.variation_icon),
        assurance=regions_domain.assurance_badge(cell.assurance_icon, cell.get("assurance_reason")),
        context=_context(m, cell),
        area_table=regions_domain.summary_table(model, [geo_code], area_codes),
        notes=notes,
        rebases=rebases,
        suggested_rebase=suggest_rebase(res),
        segments=tuple(baseline_rules.segments(res, rebase_dates, m.frequency)),
        fixes=annotation_service.baselines_for(db, measure_code, geo_code),
        before_launch=baseline_rules.before_launch(res, m.frequency),
        suggested_fix=baseline_rules.suggest_fix(res, rebase_dates, m.frequency),
        trial_warnings=tuple(baseline_rules.trial_warnings(res, rebase_dates, m.frequency)),
        rebase_dates=rebase_dates,
        denominators=_denominators(model, measure_code, geo_code, res),
    )


def _denominators(
    model: RegionsModel, measure_code: str, geo_code: str, res: SPCResult
) -> tuple[float, ...] | None:
    """The series' denominators point by point (as the engine took them), for a p-chart's
    preview; None when they do not line up with the chart's points."""
    s = model.series
    if "denominator" not in s.columns:
        return None
    rows = s[(s.measure_code == measure_code) & (s.geo_code == geo_code)]
    rows = rows.dropna(subset=["value"]).sort_values("period")
    if len(rows) != res.n:
        return None
    return tuple(float(v) for v in rows.denominator)


# --------------------------------------------------------------------------- benchmark


@dataclass(frozen=True)
class Chart:
    """A figure, the data behind it and its plain-English text alternative."""

    figure: go.Figure
    data: pd.DataFrame
    summary: str


@dataclass(frozen=True)
class BenchmarkView:
    """Bars against England for the scope's areas, and a funnel of the 42 ICSs when the
    measure is a proportion (else ``funnel`` is None and ``funnel_note`` says why).

    With a peer group (``peer``), the bars also hold the group's home and members, the
    bars and the funnel carry the peers' aggregate with its interval, and ``peer_note``
    says how the home compares with it, in words."""

    measure: Measure
    bars: Chart | None
    funnel: Chart | None
    funnel_note: str
    peer: PeerComparison | None = None
    peer_note: str = ""


BAR_COLUMNS = ["name", "geo_code", "value", "ci95_low", "ci95_high", "ci998_low", "ci998_high"]
#: The funnel CSV: each ICS's value, size, z-scores, limits at its size and reading, with
#: the adjustment, φ and τ the limits used.
FUNNEL_COLUMNS = [
    "name",
    "geo_code",
    "region",
    "numerator",
    "denominator",
    "value",
    "z",
    "z_adjusted",
    "lower95",
    "upper95",
    "lower998",
    "upper998",
    "position",
    "comparison",
    "comparison_label",
    "adjustment",
    "phi",
    "tau",
]
#: The row a CSV adds for the peers' aggregate, and the columns marking members and home.
PEER_ROW = "peers' aggregate"


def _peer_marks(peer: PeerComparison | None) -> dict | None:
    """What the charts draw of a peer comparison (``charts.compare.benchmark_bars``)."""
    if peer is None:
        return None
    return {
        "name": peer.group.name,
        "value": peer.peers.value,
        "low": peer.peers.low,
        "high": peer.peers.high,
        "members": peer.group.members,
        "home": peer.group.home_geo,
    }


def _with_peer_rows(data: pd.DataFrame, peer: PeerComparison | None) -> pd.DataFrame:
    """A chart's CSV with each row's part in the group and the aggregate's own row."""
    if peer is None:
        return data
    g = peer.group
    out = data.assign(
        peer_group=g.name,
        peer_role=[
            "home" if c == g.home_geo else "peer" if c in g.members else "" for c in data.geo_code
        ],
    )
    row = {
        "name": f"{g.name}: {PEER_ROW}",
        "geo_code": "",
        "value": peer.peers.value,
        "ci95_low": peer.peers.low,
        "ci95_high": peer.peers.high,
        "numerator": peer.peers.numerator,
        "denominator": peer.peers.denominator,
        "comparison": "",
        "peer_group": g.name,
        "peer_role": PEER_ROW,
    }
    row = {k: v for k, v in row.items() if k in out.columns}
    return pd.concat([out, pd.DataFrame([row])], ignore_index=True)


def peer_sentence(model: RegionsModel, peer: PeerComparison) -> str:
    """'North West London 14.2% is better than its peers' aggregate (‘London ICSs’, 4 ICSs,
    12.9%, 95% interval 12.7–13.1%; the sum of …).' (names raw: escape where drawn)."""
    m = model.measure(peer.measure_code)
    g = peer.group
    fmt = lambda v: format_value(v, m.unit)  # noqa: E731
    home = model.names.get(g.home_geo, g.home_geo)
    level = "ICSs" if g.level == "icb" else "regions"
    if not peer.has_peers:
        return f"No data for the peers in ‘{g.name}’ on {m.name.lower()} in this period."
    interval = (
        f", 95% interval {fmt(peer.peers.low)}–{fmt(peer.peers.high)}"
        if pd.notna(peer.peers.low)
        else ""
    )
    missing = f"; no data for {len(peer.peers.missing)}" if peer.peers.missing else ""
    what = peer.label.split(" peers'")[0].lower()
    head = (
        f"{home} ({fmt(peer.home_value)}) is {what} its peers' aggregate"
        if pd.notna(peer.home_value)
        else f"{home} has no value to compare with its peers' aggregate"
    )
    return (
        f"{head}: ‘{g.name}’, {len(peer.peers.used)} {level}{missing}, "
        f"{fmt(peer.peers.value)}{interval} ({peer.peers.rule}, "
        f"{period_label(peer.period, m.frequency)}). Judged as against England: better or "
        "worse when the home's 95% interval lies wholly above or below the aggregate."
    )


def _bars(
    model: RegionsModel,
    m: Measure,
    region: str,
    level: float,
    peer: PeerComparison | None = None,
) -> Chart | None:
    geos = regions_domain.geographies(model, region)
    scope = "regions" if region == ENGLAND_CODE else f"ICSs in {model.names[region]}"
    if peer is not None:
        extra = [g for g in (peer.group.home_geo, *peer.group.members) if g not in geos]
        geos = [*geos, *extra]
        if extra:
            scope += " and the peer group"
    table, england, period = regions_domain.benchmark(model, m.code, geos, level=level)
    if table.empty:
        return None
    against = " and its peers' aggregate" if peer is not None else ""
    figure = benchmark_bars(
        table,
        england=england,
        title=f"{m.name}: {scope} against England{against}, "
        f"{period_label(period, m.frequency)}<br>"
        f"<sup>{m.unit_label}, bars with 95% (thick) and 99.8% (thin) intervals, sorted by "
        "value</sup>",
        x_title=m.unit_label,
        value_format=_value_format(m),
        peers=_peer_marks(peer),
    )
    extra_cols = [c for c in ("numerator", "denominator") if c in table]
    summary = regions_domain.benchmark_summary(model, m.code, table, england)
    if peer is not None:
        summary += " " + peer_sentence(model, peer)
    return Chart(
        figure,
        _with_peer_rows(table[[*BAR_COLUMNS, "comparison", *extra_cols]], peer),
        summary,
    )


def _funnel(
    model: RegionsModel,
    m: Measure,
    region: str,
    method: Adjustment,
    peer: PeerComparison | None = None,
) -> Chart | None:
    f = regions_domain.funnel(model, m.code, method)
    if f is None:
        return None
    od = f["overdispersion"]
    icb_peer = peer if peer is not None and peer.group.level == "icb" else None
    figure = funnel_plot(
        f["points"],
        f["curve"],
        england=f["england"],
        # Four short lines, so the adjustment stays readable on a narrow screen.
        title=f"{m.name}:<br>the 42 ICSs by size against England, "
        f"{period_label(f['period'], m.frequency)}<br><sup>%, 95% and 99.8% limits around "
        f"England's value<br>Overdispersion adjustment: {od.label}</sup>",
        highlight=model.names[region] if region != ENGLAND_CODE else None,
        chance=f["chance"] if od.applied != Adjustment.NONE else None,
        peers=_peer_marks(icb_peer),
    )
    summary = regions_domain.funnel_summary(model, m.code, f)
    if icb_peer is not None:
        summary += (
            f" The purple dotted line is the peers' aggregate of ‘{icb_peer.group.name}’ "
            "(a reference: the limits stay around England's value); its members are ringed."
        )
    elif peer is not None:
        summary += (
            f" ‘{peer.group.name}’ is a group of regions, so it is drawn on the bars only "
            "(the funnel shows ICSs)."
        )
    return Chart(figure, _with_peer_rows(f["points"][FUNNEL_COLUMNS], icb_peer), summary)


def benchmark_view(
    model: RegionsModel,
    measure_code: str,
    region: str,
    level: str = "95%",
    funnel_adjustment: str = "Random effects",
    peer: PeerComparison | None = None,
) -> BenchmarkView:
    """One measure's latest values for the regions (or a region's ICSs) against England,
    judged at ``level`` ('95%' or '99.8%'), and the ICS funnel with its limits allowing for
    overdispersion as ``funnel_adjustment`` says (a ``FUNNEL_ADJUSTMENTS`` label; an unknown
    one falls back to random effects). ``peer`` (``services.peers.peer_comparison``) adds
    a peer group's aggregate to both charts and its members to the bars."""
    m = model.measure(measure_code)
    bars = _bars(model, m, region, LEVELS.get(level, 0.95), peer)
    method = FUNNEL_ADJUSTMENTS.get(funnel_adjustment, Adjustment.RANDOM_EFFECTS)
    funnel = _funnel(model, m, region, method, peer) if bars is not None else None
    note = "" if funnel else regions_domain.funnel_summary(model, measure_code, None)
    return BenchmarkView(
        measure=m,
        bars=bars,
        funnel=funnel,
        funnel_note=note,
        peer=peer,
        peer_note=peer_sentence(model, peer) if peer is not None else "",
    )


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class ProfileView:
    """A region's or ICS's spine chart against its peers, and its SPC summary table; with a
    peer group, ``peers`` holds the area against the group's aggregate on every measure."""

    geo_code: str
    geo_name: str
    chart: Chart | None
    table: pd.DataFrame | None = None
    peers: pd.DataFrame | None = None
    peer_summary: str = ""
    peer_table: pd.DataFrame | None = None


def peer_display(model: RegionsModel, frame: pd.DataFrame) -> pd.DataFrame:
    """The "against peers" table as the page shows it: the word first, values formatted in
    each measure's unit, the long measure name last (so it fits 1024 pixels); the CSV keeps
    ``frame`` as it is."""
    rows = []
    for r in frame.itertuples():
        m = model.measure(r.measure_code)
        fmt = lambda v, m=m: format_value(v, m.unit) if pd.notna(v) else "—"  # noqa: E731
        interval = (
            f"{fmt(r.peers_ci95_low)}–{fmt(r.peers_ci95_high)}"
            if pd.notna(r.peers_ci95_low)
            else "—"
        )
        rows.append(
            {
                "Code": r.measure_code,
                "Against peers": str(r.comparison).capitalize(),
                "Home": fmt(r.home_value),
                "Peers' aggregate": fmt(r.peers_value),
                "95% interval": interval,
                "Peers with data": r.peers_with_data,
                "Measure": r.measure,
            }
        )
    return pd.DataFrame(rows)


def peer_profile_summary(model: RegionsModel, geo_code: str, frame: pd.DataFrame) -> str:
    """'Against ‘London ICSs’ (4 ICSs): 3 better, 10 similar, 2 worse, 2 not compared.'"""
    name = model.names.get(geo_code, geo_code)
    if frame is None or frame.empty:
        return f"No peer comparison for {name}."
    counts = frame.comparison.value_counts()
    words = [
        f"{counts.get(c, 0)} {w}"
        for c, w in (
            ("better", "better"),
            ("similar", "similar"),
            ("worse", "worse"),
            ("higher", "higher"),
            ("lower", "lower"),
            ("not compared", "not compared"),
        )
        if counts.get(c, 0) or c in ("better", "similar", "worse")
    ]
    group = frame.peer_group.iloc[0]
    worse = frame[frame.comparison == "worse"].measure.tolist()
    text = (
        f"{name} against the aggregate of its peers in ‘{group}’, measure by measure: "
        f"{', '.join(words)} (95% intervals, the England rule)."
    )
    if worse:
        text += f" Worse than peers: {'; '.join(worse[:4])}{'…' if len(worse) > 4 else ''}."
    return text


def profile_view(
    model: RegionsModel, geo_code: str, peers: pd.DataFrame | None = None
) -> ProfileView:
    """Each measure of one area against the range of its peers, England in the middle;
    ``peers`` (``services.peers.peer_profile`` of a group homed here) adds the section
    "against peers"."""
    name = model.names.get(geo_code, geo_code)
    profile = regions_domain.region_profile(model, geo_code)
    if profile.empty:
        return ProfileView(geo_code, name, None)
    level_peers = "the 7 regions" if model.level_of(geo_code) == "region" else "the 42 ICSs"
    figure = spine_chart(
        profile,
        title=f"{name} profile: each measure against England<br><sup>Range of "
        f"{level_peers} (worst to best), England in the middle, better to the right</sup>",
    )
    data = profile.drop(columns=[c for c in profile if c.startswith("pos_")])
    chart = Chart(figure, data, regions_domain.profile_summary(model, geo_code, profile))
    has_peers = peers is not None and not peers.empty
    return ProfileView(
        geo_code,
        name,
        chart,
        regions_domain.summary_table(model, [geo_code]),
        peers=peers if has_peers else None,
        peer_summary=peer_profile_summary(model, geo_code, peers) if has_peers else "",
        peer_table=peer_display(model, peers) if has_peers else None,
    )

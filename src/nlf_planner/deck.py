"""The board deck: typed slides built from live domain results, in board order.

Order follows NHS integrated performance reports (anchors.md A15): title → summary matrix of
measures with SPC variation and assurance icons → one exception slide per measure with
special-cause concern or a failing target → region comparison → plan status and roadmap →
scenario comparison → closing slide with the data notice and sources.

The deck computes nothing itself: SPC, comparisons, plan roll-ups and scenario results come
from their own modules (``regions``/``spc``, ``plan``, ``capacity``) and charts from their
builders in ``charts/``. Sections whose module has not been installed yet are skipped and
listed in :attr:`Deck.sections` with the reason, so nothing is silently missing. The same
:class:`Deck` feeds the Present page and every export, so they always show the same slides.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from types import ModuleType
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go

from nlf_planner import __version__
from nlf_planner.geography import ENGLAND_CODE, ENGLAND_NAME
from nlf_planner.models import Measure
from nlf_planner.periods import label as period_label
from nlf_planner.plan import targets_for_geography
from nlf_planner.settings import ILLUSTRATIVE_NOTICE
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    VARIATION_LABEL,
    VARIATION_LETTER,
    AssuranceIcon,
    SPCOptions,
    SPCResult,
    VariationIcon,
    spc_many,
)
from nlf_planner.spc_reading import reading, short_reading
from nlf_planner.store import Database
from nlf_planner.store import annotations as annotation_store
from nlf_planner.store import measurements as measurement_store
from nlf_planner.store import reference as reference_store
from nlf_planner.units import format_value

log = logging.getLogger(__name__)

SlideKind = Literal[
    "title", "summary", "exception", "regions", "benchmark", "plan", "roadmap", "scenarios",
    "closing",
]  # fmt: skip

DECK_TITLE = "Developing People – Improving Care"
AMBITION = (
    "An NHS committed to continual learning and improvement, with an engaged workforce and "
    "capable, compassionate leaders at all levels, delivered through a practical, adaptive "
    "plan over 1, 3 and 5 years with a focus on local leadership in each system."
)
FRAMEWORK_SOURCE = (
    "Developing People – Improving Care: a national framework for action on improvement and "
    "leadership development in NHS-funded services (NHS Improvement and partners, 2016)."
)
GEOGRAPHY_SOURCE = "Regions and ICBs: ONS/NHS England codes (real)."

# Pale fills behind icon text (the words carry the meaning; colour only helps).
FILL = {
    "improvement": "#D5ECFA",
    "concern": "#FCE1C4",
    "neutral": "#E7DDF2",
    "common": "#F0F4F5",
    "pass": "#D5ECFA",
    "fail": "#FCE1C4",
    "hit_or_miss": "#F0F4F5",
    "none": "#FFFFFF",
}
MAX_SCENARIOS = 4

SECTIONS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("summary", "Summary matrix"),
    ("exceptions", "Exceptions"),
    ("regions", "Region comparison"),
    ("plan", "Plan status and roadmap"),
    ("scenarios", "Scenario comparison"),
    ("closing", "Closing and sources"),
)


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class SlideTable:
    """A table on a slide; ``fills`` (same shape, hex or "") colours cells behind the text."""

    data: pd.DataFrame
    caption: str = ""
    fills: pd.DataFrame | None = None


@dataclass(frozen=True)
class Slide:
    kind: SlideKind
    key: str  # stable id (also the anchor in the HTML export)
    title: str
    subtitle: str = ""
    bullets: tuple[str, ...] = ()
    narrative: str = ""  # plain-English reading; doubles as the charts' text alternative
    tables: tuple[SlideTable, ...] = ()
    figures: tuple[go.Figure, ...] = ()
    notes: str = ""  # speaker notes


@dataclass(frozen=True)
class Section:
    """Whether a deck section is in this deck, and why not when it is missing."""

    name: str
    label: str
    included: bool
    slides: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Stamp:
    """What every export carries: data as-of, plan version, scenarios, app version, notice."""

    geography: str
    data_as_of: date | None
    plan_version: str
    scenarios: tuple[str, ...]
    app_version: str
    illustrative: bool
    generated_at: datetime

    def lines(self) -> list[str]:
        as_of = self.data_as_of.strftime("%b %Y") if self.data_as_of else "no data"
        out = [
            f"Geography: {self.geography}",
            f"Data as of: {as_of}",
            f"Plan: {self.plan_version}",
            "Scenarios: " + (", ".join(self.scenarios) if self.scenarios else "none"),
            f"NLF Planner {self.app_version}, generated {self.generated_at:%d %b %Y %H:%M}",
        ]
        if self.illustrative:
            out.append(ILLUSTRATIVE_NOTICE)
        return out

    def footer(self) -> str:
        """One line for slide footers."""
        as_of = self.data_as_of.strftime("%b %Y") if self.data_as_of else "no data"
        text = (
            f"Data as of {as_of} · {self.plan_version} · "
            f"scenarios: {', '.join(self.scenarios) or 'none'} · NLF Planner {self.app_version}"
        )
        if self.illustrative:
            text += " · ILLUSTRATIVE DATA"
        return text


@dataclass(frozen=True)
class Deck:
    title: str
    slides: tuple[Slide, ...]
    sections: tuple[Section, ...]
    stamp: Stamp

    def __len__(self) -> int:
        return len(self.slides)

    def kinds(self) -> list[str]:
        return [s.kind for s in self.slides]

    def included(self) -> list[str]:
        return [s.label for s in self.sections if s.included]

    def missing(self) -> list[Section]:
        return [s for s in self.sections if not s.included]


@dataclass(frozen=True)
class DeckChoices:
    """What the presenter picked: geography, plan version and scenarios (None = defaults)."""

    region: str = ENGLAND_CODE
    plan_version: int | None = None  # None: the plan's current version
    scenarios: tuple[str, ...] | None = None  # scenario ids; None: the saved ones, up to 4
    today: date | None = None


class SectionUnavailable(Exception):
    """A section cannot be built yet (its module or its data is missing); says why."""


# --------------------------------------------------------------------------- context


def optional_module(name: str) -> ModuleType | None:
    """Import a feature module if it is installed; None only when that module is absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name or (exc.name and name.startswith(exc.name + ".")):
            return None
        raise


def _require(name: str) -> ModuleType:
    module = optional_module(name)
    if module is None:
        raise SectionUnavailable(f"needs {name}, which is not installed yet")
    return module


@dataclass
class _Context:
    db: Database
    choices: DeckChoices
    today: date
    measures: dict[str, Measure]
    names: dict[str, str]
    geo: str
    geo_name: str
    as_of: date | None
    illustrative: bool
    plan: Any
    results: dict[tuple[str, str], SPCResult]
    model: Any = None  # regions.RegionsModel when the regions feature is installed
    scenario_labels: tuple[str, ...] = ()


def _load_plan(db: Database, version: int | None) -> Any:
    plans = optional_module("nlf_planner.store.plans")
    if plans is None:
        return None
    if version is not None and not plans.version_exists(db, version):
        raise ValueError(f"Plan version {version} does not exist.")
    return plans.load_plan(db, version)


def _context(db: Database, choices: DeckChoices) -> _Context:
    measures = {m.code: m for m in reference_store.measures(db)}
    measures = dict(sorted(measures.items(), key=lambda kv: (kv[1].area_code, kv[0])))
    names = reference_store.geography_names(db)
    names.setdefault(ENGLAND_CODE, ENGLAND_NAME)
    geo = choices.region if choices.region in names else ENGLAND_CODE
    # The data's as-of month as the sidebar shows it (imports move it on), else the latest
    # period held.
    as_of_text = measurement_store.get_meta(db, "data_as_of")
    as_of = date.fromisoformat(as_of_text[:10]) if as_of_text else measurement_store.data_as_of(db)
    plan = _load_plan(db, choices.plan_version)
    series = measurement_store.all_series(db)
    rebases = annotation_store.all_rebases(db)
    model = None
    regions_mod = optional_module("nlf_planner.regions")
    if regions_mod is not None and hasattr(regions_mod, "build_model"):
        model = regions_mod.build_model(
            series,
            list(measures.values()),
            reference_store.priority_areas(db),
            reference_store.regions(db),
            reference_store.icbs(db),
            rebases=rebases,
            plan=plan,
        )
        results = model.results
    else:
        results = spc_many(
            series,
            polarity={c: m.polarity for c, m in measures.items()},
            options=SPCOptions.default(),
            rebases=rebases,
        )
    return _Context(
        db=db,
        choices=choices,
        today=choices.today or date.today(),
        measures=measures,
        names=names,
        geo=geo,
        geo_name=names.get(geo, geo),
        as_of=as_of,
        illustrative=measurement_store.has_illustrative(db),
        plan=plan,
        results=results,
        model=model,
    )


def plan_label(plan: Any) -> str:
    if plan is None:
        return "no plan saved"
    when = f", {plan.created_at:%d %b %Y}" if getattr(plan, "created_at", None) else ""
    who = f" by {plan.author}" if getattr(plan, "author", None) else ""
    return f"plan version {plan.version_id}{when}{who}"


# --------------------------------------------------------------------------- icons


def icon_kind(icon: str | None) -> str:
    """improvement / concern / neutral / common, from a variation icon value."""
    if not icon:
        return "none"
    return str(icon).split("_")[0]


SHORT_VARIATION = {
    VariationIcon.COMMON: "Common cause",
    VariationIcon.IMPROVEMENT_HIGH: "Improvement (high)",
    VariationIcon.IMPROVEMENT_LOW: "Improvement (low)",
    VariationIcon.CONCERN_HIGH: "Concern (high)",
    VariationIcon.CONCERN_LOW: "Concern (low)",
    VariationIcon.NEUTRAL_HIGH: "Special cause (high)",
    VariationIcon.NEUTRAL_LOW: "Special cause (low)",
}
SHORT_ASSURANCE = {
    AssuranceIcon.PASS: "Consistently passes target",
    AssuranceIcon.FAIL: "Consistently fails target",
    AssuranceIcon.HIT_OR_MISS: "Hit or miss",
}


def variation_text(icon: str | None, short: bool = False) -> str:
    """The icon as text: letter and words, e.g. "L – Special-cause concern (low)"."""
    if not icon:
        return "—"
    v = VariationIcon(icon)
    return f"{VARIATION_LETTER[v]} – {(SHORT_VARIATION if short else VARIATION_LABEL)[v]}"


def assurance_text(icon: str | None, short: bool = False) -> str:
    if not icon:
        return "No target"
    a = AssuranceIcon(icon)
    return f"{ASSURANCE_LETTER[a]} – {(SHORT_ASSURANCE if short else ASSURANCE_LABEL)[a]}"


def assurance_fill(icon: str | None) -> str:
    return {
        AssuranceIcon.PASS.value: FILL["pass"],
        AssuranceIcon.FAIL.value: FILL["fail"],
        AssuranceIcon.HIT_OR_MISS.value: FILL["hit_or_miss"],
    }.get(str(icon) if icon else "", FILL["none"])


def is_exception(result: SPCResult | None) -> bool:
    """Board exception: the latest point is special-cause concern, or the target will
    consistently fail."""
    if result is None or result.empty:
        return False
    concern = icon_kind(result.variation_icon) == "concern"
    return concern or result.assurance_icon == AssuranceIcon.FAIL


def exception_measures(ctx: _Context) -> list[Measure]:
    return [m for m in ctx.measures.values() if is_exception(ctx.results.get((m.code, ctx.geo)))]


# --------------------------------------------------------------------------- sections


def _title_slide(ctx: _Context) -> list[Slide]:
    as_of = ctx.as_of.strftime("%B %Y") if ctx.as_of else "no data loaded"
    bullets = [
        f"Ambition: {AMBITION}",
        f"Data to {as_of}; {plan_label(ctx.plan)}.",
        f"Prepared {ctx.today:%d %B %Y}.",
    ]
    if ctx.illustrative:
        bullets.append(ILLUSTRATIVE_NOTICE)
    return [
        Slide(
            kind="title",
            key="title",
            title=f"{DECK_TITLE}: board report for {ctx.geo_name}",
            subtitle="National framework for leadership development and improvement",
            bullets=tuple(bullets),
            notes=(
                "This pack follows the board's usual order: the summary matrix first, then "
                "the exceptions that need attention, then how regions compare, progress "
                "against the plan, and what the capacity scenarios say."
            ),
        )
    ]


def _summary_frame(ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, fills = [], []
    for m in ctx.measures.values():
        res = ctx.results.get((m.code, ctx.geo))
        if res is None or res.empty:
            rows.append({"Area": m.area_code, "Measure": f"{m.code} {m.name}", "Latest": "No data"})
            fills.append({})
            continue
        fmt = lambda v, m=m: format_value(v, m.unit)  # noqa: E731
        limits = (
            f"{fmt(res.latest('lpl'))} – {fmt(res.latest('upl'))}"
            if res.latest("lpl") is not None
            else "—"
        )
        rows.append(
            {
                "Area": m.area_code,
                "Measure": f"{m.code} {m.name}",
                "Latest": f"{fmt(res.latest_value)} "
                f"({period_label(res.latest_period, m.frequency)})",
                "Target": fmt(res.target) if res.target is not None else "—",
                "Mean": fmt(res.latest("mean")),
                "Limits": limits + (" (trial)" if res.trial_limits else ""),
                "Variation": variation_text(res.variation_icon, short=True),
                "Assurance": assurance_text(res.assurance_icon, short=True),
            }
        )
        fills.append(
            {
                "Variation": FILL[icon_kind(res.variation_icon)],
                "Assurance": assurance_fill(res.assurance_icon),
            }
        )
    cols = ["Area", "Measure", "Latest", "Target", "Mean", "Limits", "Variation", "Assurance"]
    data = pd.DataFrame(rows, columns=cols).fillna("—")
    fill = pd.DataFrame(fills, columns=cols).fillna("")
    return data, fill


def _summary_slides(ctx: _Context) -> list[Slide]:
    data, fills = _summary_frame(ctx)
    results = [ctx.results.get((m.code, ctx.geo)) for m in ctx.measures.values()]
    results = [r for r in results if r is not None and not r.empty]
    kinds = pd.Series([icon_kind(r.variation_icon) for r in results])
    fails = sum(r.assurance_icon == AssuranceIcon.FAIL for r in results)
    passes = sum(r.assurance_icon == AssuranceIcon.PASS for r in results)
    with_target = sum(r.assurance_icon is not None for r in results)
    bullets = [
        f"{len(results)} measures: {int((kinds == 'improvement').sum())} special-cause "
        f"improvement, {int((kinds == 'concern').sum())} special-cause concern, "
        f"{int((kinds == 'neutral').sum())} special-cause (no direction), "
        f"{int((kinds == 'common').sum())} common-cause variation.",
        (
            f"Against plan targets: {passes} will consistently pass, {fails} will consistently "
            f"fail, {with_target - passes - fails} hit or miss."
            if with_target
            else "No plan targets apply yet, so there are no assurance icons."
        ),
    ]
    narrative = (
        "Summary matrix: for each measure, the latest value, the plan target, the SPC mean and "
        "process limits, and the Making Data Count icons (variation: C common cause, H/L "
        "high/low special cause; assurance: P pass, F fail, ? hit or miss). " + " ".join(bullets)
    )
    return [
        Slide(
            kind="summary",
            key="summary",
            title=f"Summary matrix: {ctx.geo_name}",
            subtitle="Latest value, target, mean and limits, variation and assurance",
            bullets=tuple(bullets),
            narrative=narrative,
            tables=(SlideTable(data, "Measures grouped by priority area (P1–P9)", fills),),
            notes=narrative
            + " Exception slides follow for every measure with special-cause concern or a "
            "target it will consistently fail.",
        )
    ]


def _spc_chart(ctx: _Context, m: Measure, res: SPCResult) -> go.Figure | None:
    charts = optional_module("nlf_planner.charts.spc")
    if charts is None or not hasattr(charts, "spc_figure"):
        return None
    kwargs: dict[str, Any] = {}
    regions_mod = optional_module("nlf_planner.regions")
    if ctx.model is not None and regions_mod is not None:
        if hasattr(regions_mod, "plan_line"):
            kwargs["plan_line"] = regions_mod.plan_line(ctx.model, m.code, ctx.geo)
        if hasattr(regions_mod, "horizon_targets"):
            kwargs["horizon_targets"] = regions_mod.horizon_targets(ctx.model, m.code, ctx.geo)
    notes = annotation_store.annotations_for(ctx.db, m.code, ctx.geo)
    if not notes.empty:
        kwargs["annotations"] = notes
    if res.rebase_periods and hasattr(annotation_store, "rebase_reasons"):
        kwargs["rebase_reasons"] = annotation_store.rebase_reasons(ctx.db, m.code, ctx.geo)
    value_format = ".2f" if m.unit == "score_0_10" else ".1f"
    unit_title = getattr(regions_mod, "UNIT_TITLE", {}).get(m.unit, m.unit_label)
    return charts.spc_figure(
        res,
        title=f"{m.name} — {ctx.geo_name}<br><sup>SPC chart of the {m.frequency} "
        f"{unit_title}: mean, process limits, plan</sup>",
        y_title=m.unit_label,
        value_format=value_format,
        period_labels=[period_label(d.date(), m.frequency) for d in res.to_frame().period],
        height=500,
        **kwargs,
    )


def _exception_slides(ctx: _Context) -> list[Slide]:
    found = exception_measures(ctx)
    if not found:
        text = (
            f"No measure in {ctx.geo_name} shows special-cause concern in its latest point or "
            "a target it will consistently fail, so there are no exception reports."
        )
        return [
            Slide(
                kind="exception",
                key="exceptions-none",
                title="Exceptions: none this period",
                bullets=(text,),
                narrative=text,
                notes=text,
            )
        ]
    slides = []
    for i, m in enumerate(found, start=1):
        res = ctx.results[(m.code, ctx.geo)]
        r = reading(res, m, ctx.geo_name)
        fig = _spc_chart(ctx, m, res)
        sig = res.signal
        since = period_label(sig.start, m.frequency) if sig and sig.start else "—"
        facts = pd.DataFrame(
            [
                {
                    "Latest": format_value(res.latest_value, m.unit),
                    "Target": format_value(res.target, m.unit) if res.target is not None else "—",
                    "Mean": format_value(res.latest("mean"), m.unit),
                    "Variation": variation_text(res.variation_icon),
                    "Assurance": assurance_text(res.assurance_icon),
                    "Since": since,
                }
            ]
        )
        fills = pd.DataFrame(
            [
                {
                    "Variation": FILL[icon_kind(res.variation_icon)],
                    "Assurance": assurance_fill(res.assurance_icon),
                }
            ],
            columns=facts.columns,
        ).fillna("")
        why, follows = _why_and_what_follows(ctx, m)
        slides.append(
            Slide(
                kind="exception",
                key=f"exception-{m.code}",
                title=f"Exception {i} of {len(found)}: {m.code} {m.name}",
                subtitle=short_reading(res, m),
                bullets=(*r.sentences, *why, *follows),
                narrative=r.text,
                tables=(SlideTable(facts, "", fills),),
                figures=(fig,) if fig is not None else (),
                notes=(
                    f"{r.text} {' '.join(why)} {' '.join(follows)} Questions for the board: "
                    f"what is driving this, and what action follows? Priority area "
                    f"{m.area_code}. Definition: {m.definition}"
                ),
            )
        )
    return slides


def _why_and_what_follows(ctx: _Context, m: Measure) -> tuple[list[str], list[str]]:
    """Context a reading cannot compute: people's notes on this chart (the why) and the
    plan's open milestones linked to this measure (what follows)."""
    why = []
    notes = annotation_store.annotations_for(ctx.db, m.code, ctx.geo)
    for r in notes.tail(2).itertuples():
        when = r.period.strftime("%b %Y") if r.period else ""
        why.append(f"Note on the chart ({when}): {r.text} ({r.author}).")
    follows: list[str] = []
    plan_mod = optional_module("nlf_planner.plan")
    if ctx.plan is None or plan_mod is None:
        return why, follows
    linked = [x for x in ctx.plan.milestones if x.measure_code == m.code and x.status != "done"]
    linked.sort(key=lambda x: x.due_date or date.max)
    for x in linked[:2]:
        due = f", due {x.due_date:%b %Y}" if x.due_date else ""
        status = plan_mod.STATUS_LABELS.get(x.status, x.status).lower()
        follows.append(f"Plan action: {x.title} ({status}; {x.owner or 'no owner'}{due}).")
    if not linked:
        follows.append(
            "No open plan milestone is linked to this measure: the board may ask for an action."
        )
    return why, follows


COMPARE_FILL = {
    "better": "#D5ECFA",
    "similar": "#FFFFFF",
    "worse": "#FCE1C4",
    "higher": "#DCE3F3",
    "lower": "#E3F4FA",
    "not compared": "#FFFFFF",
}
COMPARE_WORD = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not compared": "Not compared",
}


def _headline_measures(ctx: _Context) -> list[Measure]:
    chosen: dict[str, Measure] = {}
    for m in ctx.measures.values():
        current = chosen.get(m.area_code)
        if current is None or (m.headline and not current.headline):
            chosen[m.area_code] = m
    return list(chosen.values())


def _comparison_summary(
    cells: pd.DataFrame, geos: list[str], headline: list[Measure], names: dict[str, str]
) -> str:
    """Counts of better/similar/worse in the matrix and who stands out, in words."""
    areas = [g for g in geos if g != ENGLAND_CODE]
    part = cells[cells.geo_code.isin(areas) & cells.measure_code.isin([m.code for m in headline])]
    comp = part["comparison"].fillna("").astype(str)
    better, worse = part[comp == "better"], part[comp == "worse"]
    text = (
        f"Across {len(areas)} areas and {len(headline)} headline measures, {len(better)} "
        f"results are better than England, {len(worse)} worse and {int((comp == 'similar').sum())}"
        " similar (95% intervals)."
    )
    for label, rows in (("Most often better", better), ("Most often worse", worse)):
        if not rows.empty:
            top = rows.groupby("geo_code").size().sort_values(ascending=False, kind="stable")
            text += f" {label}: {names.get(top.index[0], top.index[0])} ({int(top.iloc[0])})."
    return text


def _rug_slides(ctx: _Context, regions_mod: ModuleType, geos: list[str], scope: str):
    """The Regions page's tartan rug (geographies × priority areas), when it is installed."""
    charts = optional_module("nlf_planner.charts.compare")
    if charts is None or not hasattr(charts, "matrix_figure"):
        return []
    model = ctx.model
    matrix = regions_mod.area_matrix(model, geos)
    fig = charts.matrix_figure(
        matrix.tile,
        matrix.tone,
        matrix.text,
        title=f"{scope[0].upper()}{scope[1:]} × the nine priority areas<br><sup>Latest values "
        "against England (95% intervals), SPC and progress against the plan</sup>",
        column_labels=[f"{a.code} {a.name}" for a in model.areas],
    )
    summary = regions_mod.matrix_summary(model, matrix)
    return [
        Slide(
            kind="regions",
            key="regions-rug",
            title=f"Region comparison: {scope} across the priority areas",
            subtitle="Each tile: better/similar/worse than England, trajectory, SPC letters",
            narrative=summary,
            figures=(fig,),
            notes=summary
            + " Blue tint: better than England; orange: worse; yellow: mixed; grey: England.",
        )
    ]


def _region_slides(ctx: _Context) -> list[Slide]:
    regions_mod = _require("nlf_planner.regions")
    if ctx.model is None:
        raise SectionUnavailable("the regions model is not available")
    model = ctx.model
    geos = regions_mod.geographies(model, ctx.geo)
    scope = "the seven NHS regions" if ctx.geo == ENGLAND_CODE else f"the ICSs of {ctx.geo_name}"
    cells = model.cells.set_index(["measure_code", "geo_code"])
    headline = _headline_measures(ctx)
    rows, fills = [], []
    for g in geos:
        row = {"Geography": model.names.get(g, g)}
        fill = {"Geography": ""}
        for m in headline:
            col = f"{m.area_code} {m.code}"
            if (m.code, g) not in cells.index:
                row[col], fill[col] = "No data", ""
                continue
            c = cells.loc[(m.code, g)]
            comp = c.get("comparison")
            word = "England" if g == ENGLAND_CODE else COMPARE_WORD.get(str(comp), "—")
            row[col] = f"{format_value(float(c['value']), m.unit)} {word}"
            fill[col] = "#E8EDEE" if g == ENGLAND_CODE else COMPARE_FILL.get(str(comp), "")
        rows.append(row)
        fills.append(fill)
    data = pd.DataFrame(rows)
    fill_frame = pd.DataFrame(fills, columns=data.columns).fillna("")
    key = ", ".join(f"{m.area_code} {m.code} {m.name}" for m in headline)
    summary = _comparison_summary(model.cells, geos, headline, model.names)
    slides = _rug_slides(ctx, regions_mod, geos, scope)
    slides += [
        Slide(
            kind="regions",
            key="regions-matrix",
            title=f"Region comparison: {scope} against England",
            subtitle="Headline measure of each priority area; better/similar/worse at 95%",
            narrative=summary,
            bullets=(summary,),
            tables=(SlideTable(data, f"Columns: {key}.", fill_frame),),
            notes=summary
            + " Better or worse means the 95% interval lies wholly above or below England's "
            "value, taking each measure's direction into account; similar means it overlaps.",
        )
    ]
    charts = optional_module("nlf_planner.charts.compare")
    if charts is not None and hasattr(regions_mod, "benchmark"):
        focus = next(iter(exception_measures(ctx)), None) or headline[0]
        table, england, period = regions_mod.benchmark(model, focus.code, geos)
        if not table.empty:
            when = period_label(period, focus.frequency) if period else ""
            fig = charts.benchmark_bars(
                table,
                england=england,
                title=f"{focus.name}, {when}: {scope} against England ({focus.unit_label})",
                x_title=focus.unit_label,
                value_format=".2f" if focus.unit == "score_0_10" else ".1f",
            )
            text = regions_mod.benchmark_summary(model, focus.code, table, england)
            slides.append(
                Slide(
                    kind="benchmark",
                    key=f"benchmark-{focus.code}",
                    title=f"Benchmark: {focus.code} {focus.name}",
                    subtitle=f"{when}; bars with 95% and 99.8% intervals, never a bare ranking",
                    narrative=text,
                    figures=(fig,),
                    notes=text,
                )
            )
    return slides


def _plan_slides(ctx: _Context) -> list[Slide]:
    plan_mod = _require("nlf_planner.plan")
    if ctx.plan is None:
        raise SectionUnavailable("no plan has been saved yet")
    plan = ctx.plan
    areas = reference_store.priority_areas(ctx.db)
    conditions = reference_store.conditions(ctx.db)
    by_area, _ = plan_mod.rollup(plan, areas, conditions, ctx.today)
    statuses = [s for s in plan_mod.STATUSES]
    table = pd.DataFrame(
        {
            "Priority area": [f"{r.code} {r.name}" for r in by_area.itertuples()],
            "Milestones": by_area["total"],
            **{plan_mod.STATUS_LABELS[s]: by_area[s] for s in statuses},
            "Past due": by_area["past_due"],
            "Headline": by_area["headline_label"],
        }
    )
    headline_fill = {
        "off_track": FILL["concern"],
        "at_risk": "#FFF1C6",
        "on_track": FILL["improvement"],
        "done": FILL["improvement"],
    }
    fills = pd.DataFrame("", index=table.index, columns=table.columns)
    fills["Headline"] = [headline_fill.get(h, "") for h in by_area["headline"]]
    attention = plan_mod.attention_list(plan, ctx.today, 90)
    late = attention[attention["past_due"]] if not attention.empty else attention
    bullets = [
        f"{int(by_area['total'].sum())} milestones across {len(areas)} priority areas; "
        f"{int(by_area['past_due'].sum())} past due; "
        f"{int((by_area['headline'] == 'off_track').sum())} areas off track, "
        f"{int((by_area['headline'] == 'at_risk').sum())} at risk."
    ]
    for r in late.head(4).itertuples():
        bullets.append(f"Past due: {r.title} ({r.priority_area}, {r.owner or 'no owner'}).")
    narrative = " ".join(bullets)
    slides = [
        Slide(
            kind="plan",
            key="plan-status",
            title="Plan status: milestones by priority area",
            subtitle=f"{plan_label(plan)}; base year {plan_mod.fy_label(plan.base_year)}",
            bullets=tuple(bullets),
            narrative=narrative,
            tables=(SlideTable(table, "Headline = the worst open milestone", fills),),
            notes=narrative + " Past-due open milestones count as off track.",
        )
    ]
    roadmap = optional_module("nlf_planner.charts.roadmap")
    if roadmap is not None and hasattr(roadmap, "roadmap_figure"):
        names = {a.code: a.name for a in areas}
        fig = roadmap.roadmap_figure(plan.milestones, names, plan.base_year, ctx.today)
        text = roadmap.roadmap_summary(
            roadmap.roadmap_data(plan.milestones, names, ctx.today), plan.base_year, ctx.today
        )
        slides.append(
            Slide(
                kind="roadmap",
                key="plan-roadmap",
                title="Roadmap: milestones over the 1, 3 and 5-year horizons",
                subtitle=plan_label(plan),
                narrative=text,
                figures=(fig,),
                notes=text,
            )
        )
    return slides


FAN_OUTPUT = ("vacancy_rate", 4)  # executive vacancy rate: the plan's measure M08


def _scenario_slides(ctx: _Context) -> list[Slide]:
    """Fan chart and headline table for the chosen scenarios (the scenarios feature's own
    store, model runs, tables and chart builders)."""
    store = _require("nlf_planner.store.scenarios")
    domain = _require("nlf_planner.capacity.scenarios")
    charts = _require("nlf_planner.charts.scenarios")
    scenarios = _selected_scenarios(ctx, store)
    if not scenarios:
        raise SectionUnavailable("no scenarios have been saved yet")
    baseline = next((s for s in scenarios if s.is_baseline), None)
    if baseline is None:
        base_id = store.baseline_id(ctx.db)
        baseline = store.load_scenario(ctx.db, base_id) if base_id else None
    baseline = baseline or domain.baseline_scenario()
    # One seed and number of draws for every run (the baseline's), as the Scenarios page's
    # Compare tab does: common random numbers make the differences paired.
    runs = {"seed": baseline.seed, "draws": baseline.draws}
    results = {s.label: domain.run_scenario(s.model_copy(update=runs)) for s in scenarios}
    base_result = results.get(baseline.label) or domain.run_scenario(baseline)
    first = next(iter(results.values()))
    geo = ctx.geo if ctx.geo in domain.geo_codes(first) else ENGLAND_CODE
    geo_name = ctx.names.get(geo, geo)
    targets = _plan_targets_frame(ctx, geo)
    head = domain.headline_table(results, base_result, targets, geo)
    name, level = FAN_OUTPUT
    fan = domain.fan_data(results, name, geo, level)
    base_fan = domain.fan_data({"Baseline": base_result}, name, geo, level)[["year", "p50"]]
    tg = _output_targets(name, level, targets)
    fig = charts.fan_chart(
        fan, name=name, level=level, baseline=base_fan, targets=tg, geo_name=geo_name, height=460
    )
    summary = charts.fan_summary(fan, name, level, base_fan, tg)
    ctx.scenario_labels = tuple(results)
    table = _scenario_table(domain, head, list(results))
    return [
        Slide(
            kind="scenarios",
            key="scenarios-fan",
            title="Scenario comparison: executive vacancy rate",
            subtitle=f"{geo_name}; scenarios: {', '.join(results)}",
            narrative=summary,
            bullets=(summary,),
            figures=(fig,),
            notes=summary
            + " Ranges come from Monte Carlo draws over the uncertain parameters: the median "
            "is the middle outcome and the band holds eight in ten outcomes.",
        ),
        Slide(
            kind="scenarios",
            key="scenarios-headlines",
            title="Scenario comparison: headline results at year 5",
            subtitle=f"{geo_name}; median (80% range) over {baseline.draws:,} draws, seed "
            f"{baseline.seed}, for every scenario",
            narrative=f"Headline outputs at year 5 for {', '.join(results)}.",
            tables=(SlideTable(table, "Median with the 80% range (P10 to P90) in brackets"),),
            notes="Each scenario is a saved, versioned set of assumptions; the same seed "
            "reproduces the same numbers.",
        ),
    ]


def _selected_scenarios(ctx: _Context, store: ModuleType) -> list[Any]:
    """The chosen scenario ids, else the saved ones (baseline first), at most four."""
    listing = store.list_scenarios(ctx.db)
    if listing is None or listing.empty:
        return []
    ids = [str(i) for i in listing["scenario_id"]]
    wanted = [i for i in (ctx.choices.scenarios or ()) if i in ids] or ids
    out = [store.load_scenario(ctx.db, i) for i in wanted[:MAX_SCENARIOS]]
    return [s for s in out if s is not None]


def _plan_targets_frame(ctx: _Context, geo: str) -> pd.DataFrame:
    """The plan's targets for ``geo`` by the one rule (own row, else England's)."""
    return targets_for_geography(ctx.plan, geo)


def _output_targets(name: str, level: int, targets: pd.DataFrame) -> dict[int, float] | None:
    outputs = optional_module("nlf_planner.capacity.outputs")
    if outputs is None or targets.empty:
        return None
    spec = outputs.OUTPUTS[name]
    if not spec.measure or level != spec.level:
        return None
    sub = targets[targets.measure_code == spec.measure]
    return {int(r.horizon): float(r.target) for r in sub.itertuples()} or None


def _scenario_table(domain: ModuleType, head: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Outputs (rows, in the scenarios feature's order) by scenario (columns) at the last
    year: median (80% range)."""
    rows: dict[str, dict[str, str]] = {}
    for label in labels:
        view = domain.headline_view(head, label)
        if view.empty:
            continue
        view = view[view["Year"] == view["Year"].max()]
        for r in view.itertuples():
            text = str(r[view.columns.get_loc("Median (80% range)") + 1])
            rows.setdefault(r.Output, {"Output": r.Output})[label] = (
                "—" if text.startswith("– (") else text
            )
    return pd.DataFrame(list(rows.values()), columns=["Output", *labels]).fillna("—")


def _closing_slide(ctx: _Context) -> list[Slide]:
    sources: list[str] = []
    for m in ctx.measures.values():
        for part in m.source.replace("Illustrative:", "").replace("Illustrative;", "").split(";"):
            text = part.strip().rstrip(".")
            if text and text not in sources:
                sources.append(text)
    bullets = []
    if ctx.illustrative:
        bullets.append(ILLUSTRATIVE_NOTICE)
    bullets += [
        f"Framework: {FRAMEWORK_SOURCE}",
        GEOGRAPHY_SOURCE,
        "Method: SPC the Making Data Count way (XmR chart, four rules, variation and assurance "
        "icons); comparisons with England use 95% and 99.8% intervals (Wilson for proportions).",
        "Measure sources: " + "; ".join(sources[:10]) + ("; …" if len(sources) > 10 else "."),
    ]
    return [
        Slide(
            kind="closing",
            key="closing",
            title="Data notice and sources",
            bullets=tuple(bullets),
            narrative=" ".join(bullets[:3]),
            notes="Questions. The pack can be regenerated from the Present page or with "
            "`python -m nlf_planner.export`. Full measure definitions and sources are on the "
            "Data page (data dictionary).",
        )
    ]


_BUILDERS = {
    "title": _title_slide,
    "summary": _summary_slides,
    "exceptions": _exception_slides,
    "regions": _region_slides,
    "plan": _plan_slides,
    "scenarios": _scenario_slides,
    "closing": _closing_slide,
}


# --------------------------------------------------------------------------- the deck


def build_deck(db: Database, choices: DeckChoices | None = None) -> Deck:
    """All slides for the choices, in board order, with the sections that are missing and why.

    A section that cannot be built (its feature is not installed, it has no data, or it
    failed) is left out and reported, never half-drawn.
    """
    choices = choices or DeckChoices()
    ctx = _context(db, choices)
    slides: list[Slide] = []
    sections: list[Section] = []
    for name, label in SECTIONS:
        try:
            built = _BUILDERS[name](ctx)
        except SectionUnavailable as exc:
            sections.append(Section(name, label, False, 0, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one failing feature must not sink the deck
            if name in ("title", "summary", "closing"):
                raise
            log.exception("deck section %s failed", name)
            sections.append(Section(name, label, False, 0, f"could not be built: {exc}"))
            continue
        slides.extend(built)
        sections.append(Section(name, label, True, len(built)))
    stamp = Stamp(
        geography=ctx.geo_name,
        data_as_of=ctx.as_of,
        plan_version=plan_label(ctx.plan),
        scenarios=ctx.scenario_labels,
        app_version=__version__,
        illustrative=ctx.illustrative,
        generated_at=datetime.now(),
    )
    return Deck(
        title=f"{DECK_TITLE}: board report for {ctx.geo_name}",
        slides=tuple(slides),
        sections=tuple(sections),
        stamp=stamp,
    )


def slide_list(deck: Deck) -> pd.DataFrame:
    """Number, kind and title of every slide (the Present page's jump list)."""
    return pd.DataFrame(
        [
            {"number": i, "kind": s.kind, "title": s.title}
            for i, s in enumerate(deck.slides, start=1)
        ],
        columns=["number", "kind", "title"],
    )


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """The points a chart draws (series, x, y), for the CSV download behind it."""
    rows = []
    for trace in fig.data:
        xs, ys = getattr(trace, "x", None), getattr(trace, "y", None)
        if xs is None or ys is None:
            continue
        name = trace.name or trace.type
        rows.extend(
            {"series": name, "x": x, "y": y}
            for x, y in zip(xs, ys, strict=False)
            if x is not None and y is not None
        )
    return pd.DataFrame(rows, columns=["series", "x", "y"])


__all__ = [
    "Deck",
    "DeckChoices",
    "Section",
    "Slide",
    "SlideTable",
    "Stamp",
    "build_deck",
    "exception_measures",
    "figure_data",
    "is_exception",
    "optional_module",
    "slide_list",
]

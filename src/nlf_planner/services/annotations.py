"""Chart event notes and SPC rebases: who may add or remove them, the rules they must meet,
and the lists a chart draws from.

Every write checks the person (a data manager; one with a region scope only on charts of
their region or an ICB in it, never on a note for every chart), applies the rules of
:mod:`nlf_planner.annotations` against the real measure and geography codes, and only then
asks the store, which writes the change and its audit row in one transaction. Refusals come
back as :class:`ServiceError` subclasses with a message a person can read.

The reads (a chart's notes and rebases, every rebase for the SPC of all series) are kept
per data version (``services.cache``); the audit row of each change moves the version, so
the next read after a note or rebase is fresh. Callers get their own copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pandas as pd

from nlf_planner import annotations as rules
from nlf_planner import baselines as baseline_rules
from nlf_planner import spc as engine
from nlf_planner.baselines import FixedBaseline
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.periods import day_label
from nlf_planner.services import cache
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services.access import require, require_scope, scope_guard
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.errors import NotFound, ReadOnly, ValidationFailed
from nlf_planner.store import Database, ReadOnlyError
from nlf_planner.store import annotations as annotation_store
from nlf_planner.store import reference as reference_store

T = TypeVar("T")


def _known_codes(db: Database) -> tuple[set[str], set[str]]:
    """The measure codes and the region and ICB codes a note may name."""
    measures = {m.code for m in reference_store.measures(db)}
    geos = {r.code for r in reference_store.regions(db)} | {
        i.code for i in reference_store.icbs(db)
    }
    return measures, geos


def _refuse_if(issues: list[rules.AnnotationIssue]) -> None:
    if issues:
        raise ValidationFailed(rules.summary(issues), issues)


def _write(work: Callable[[], T]) -> T:
    """Run a store write, turning the store's refusals into the services' own."""
    try:
        return work()
    except ReadOnlyError as exc:
        raise ReadOnly(str(exc)) from exc
    except annotation_store.AnnotationNotFound as exc:
        raise NotFound(str(exc)) from exc
    except annotation_store.RebaseExists as exc:
        message = rules.duplicate_rebase_message(exc.period)
        raise ValidationFailed(message, [rules.AnnotationIssue("period", message)]) from exc
    except annotation_store.BaselineExists as exc:
        message = "Someone fixed the baseline of that segment first; reload to see it."
        raise ValidationFailed(message, [rules.AnnotationIssue("segment", message)]) from exc
    except annotation_store.RebaseHasBaseline as exc:
        message = (
            f"The segment from the rebase of {day_label(exc.period)} has a fixed baseline; "
            "remove that fixed baseline first."
        )
        raise ValidationFailed(message, [rules.AnnotationIssue("rebase", message)]) from exc
    except annotation_store.RebaseGone as exc:
        message = "The rebase that starts that segment was removed; choose the segment again."
        raise ValidationFailed(message, [rules.AnnotationIssue("segment", message)]) from exc


# --------------------------------------------------------------------------- notes


def add_note(
    db: Database,
    actor: Actor | None,
    *,
    period: date | None,
    text: str | None,
    measure_code: str | None = None,
    geo_code: str | None = None,
) -> int:
    """Add an event note to one chart, or to every chart when no measure or geography is
    given; returns its id."""
    who = require_scope(db, actor, Role.DATA_MANAGER, "add a note", [geo_code])
    known_measures, known_geos = _known_codes(db)
    _refuse_if(
        rules.note_issues(
            period=period,
            text=text,
            measure_code=measure_code,
            geo_code=geo_code,
            known_measures=known_measures,
            known_geos=known_geos,
        )
    )
    return _write(
        lambda: annotation_store.add_annotation(
            db,
            actor=who.display_name,
            period=period,
            text=rules.clean_text(text),
            measure_code=measure_code,
            geo_code=geo_code,
        )
    )


def delete_note(
    db: Database, actor: Actor | None, note_id: int, *, reason: str | None = None
) -> None:
    """Hide a note from the charts (kept in the table and the audit log)."""
    who = require(actor, Role.DATA_MANAGER, "remove a note")
    allowed = scope_guard(db, who, "remove a note")
    _write(
        lambda: annotation_store.delete_annotation(
            db,
            note_id,
            actor=who.display_name,
            reason=rules.clean_text(reason) or None,
            allowed=allowed,
        )
    )


@cache.per_data_version(maxsize=64)
def _notes_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    return annotation_store.annotations_for(db, measure_code, geo_code)


def notes_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    """The notes one chart shows: its own and those that apply to every chart."""
    return _notes_for(db, measure_code, geo_code).copy(deep=False)


# --------------------------------------------------------------------------- rebases


def add_rebase(
    db: Database,
    actor: Actor | None,
    *,
    measure_code: str,
    geo_code: str,
    period: date | None,
    reason: str | None,
) -> int:
    """Recalculate one chart's limits from ``period``, for a stated reason; returns its id."""
    who = require_scope(db, actor, Role.DATA_MANAGER, "rebase a chart", [geo_code])
    known_measures, known_geos = _known_codes(db)
    existing = annotation_store.rebases_for(db, measure_code, geo_code).period.tolist()
    _refuse_if(
        rules.rebase_issues(
            period=period,
            reason=reason,
            measure_code=measure_code,
            geo_code=geo_code,
            known_measures=known_measures,
            known_geos=known_geos,
            existing=existing,
        )
    )
    _refuse_if(
        baseline_rules.rebase_issues(
            _chart_result(db, measure_code, geo_code), period, _frequency(db, measure_code)
        )
    )
    return _write(
        lambda: annotation_store.add_rebase(
            db,
            actor=who.display_name,
            measure_code=measure_code,
            geo_code=geo_code,
            period=period,
            reason=rules.clean_text(reason),
        )
    )


def remove_rebase(db: Database, actor: Actor | None, rebase_id: int, *, reason: str | None) -> None:
    """Withdraw a rebase, for a stated reason (the limits are drawn from all points again)."""
    who = require(actor, Role.DATA_MANAGER, "remove a rebase")
    _refuse_if(rules.removal_issues(reason))
    allowed = scope_guard(db, who, "remove a rebase")
    _write(
        lambda: annotation_store.remove_rebase(
            db, rebase_id, actor=who.display_name, reason=rules.clean_text(reason), allowed=allowed
        )
    )


@cache.per_data_version(maxsize=64)
def _rebases_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    return annotation_store.rebases_for(db, measure_code, geo_code)


def rebases_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    """One chart's active rebases, with who entered them and why."""
    return _rebases_for(db, measure_code, geo_code).copy(deep=False)


@cache.per_data_version(maxsize=64)
def _rebase_reasons(db: Database, measure_code: str, geo_code: str) -> dict[date, str]:
    return annotation_store.rebase_reasons(db, measure_code, geo_code)


def rebase_reasons(db: Database, measure_code: str, geo_code: str) -> dict[date, str]:
    """Rebase date → 'reason (who)', for a chart's hover text."""
    return dict(_rebase_reasons(db, measure_code, geo_code))


@cache.per_data_version(maxsize=4)
def _all_rebases(db: Database) -> dict[tuple[str, str], list[date]]:
    return annotation_store.all_rebases(db)


def all_rebases(db: Database) -> dict[tuple[str, str], list[date]]:
    """Every active rebase date keyed by (measure, geography), for computing every series."""
    return {key: list(dates) for key, dates in _all_rebases(db).items()}


@cache.per_data_version(maxsize=4)
def rebases_version(db: Database) -> str:
    """Changes whenever a rebase is added or removed: part of every SPC cache key (read
    once per data version, which every rebase also moves)."""
    return annotation_store.rebases_version(db)


# --------------------------------------------------------------------------- fixed baselines


def _chart_segments(db: Database, measure_code: str, geo_code: str) -> list[baseline_rules.Segment]:
    """The segments of one chart as its data and rebases stand now (the engine's split)."""
    series = measurement_service.all_series(db, [measure_code])
    rows = series[series.geo_code == geo_code].dropna(subset=["value"]).sort_values("period")
    if rows.empty:
        return []
    rebases = annotation_store.rebases_for(db, measure_code, geo_code).period.tolist()
    result = engine.spc(rows.period.tolist(), rows.value.to_numpy(float), rebases=rebases)
    return baseline_rules.segments(result, rebases, _frequency(db, measure_code))


def _chart_result(db: Database, measure_code: str, geo_code: str) -> engine.SPCResult:
    """One chart as it stands: its data, rebases and fixed baselines (the engine's split)."""
    series = measurement_service.all_series(db, [measure_code])
    rows = series[series.geo_code == geo_code].dropna(subset=["value"]).sort_values("period")
    rebases = annotation_store.rebases_for(db, measure_code, geo_code).period.tolist()
    fixes = baseline_rules.for_series(all_baselines(db), measure_code, geo_code)
    return engine.spc(
        rows.period.tolist(), rows.value.to_numpy(float), rebases=rebases, baselines=fixes
    )


def _frequency(db: Database, measure_code: str) -> str:
    return next(
        (m.frequency for m in reference_store.measures(db) if m.code == measure_code), "monthly"
    )


def add_baseline(
    db: Database,
    actor: Actor | None,
    measure_code: str,
    geo_code: str | None,
    fix: FixedBaseline,
    reason: str | None,
) -> int:
    """Fix the limits of one segment of a chart (``geo_code`` None: of the first segment of
    every chart of the measure, an England-level change) on its first points, for a stated
    reason; returns its id. The chart's series' own fix of a segment wins over the
    measure-wide one."""
    who = require_scope(db, actor, Role.DATA_MANAGER, "fix a chart's baseline", [geo_code])
    known_measures, known_geos = _known_codes(db)
    _refuse_if(rules.code_issues(measure_code or "", geo_code, known_measures, known_geos))
    # A measure-wide fix is checked against England's chart: every period of the measure.
    chart = geo_code if geo_code is not None else ENGLAND_CODE
    current = annotation_store.baselines_for(db, measure_code, chart)
    scope_rows = current[
        current.geo_code.isna() if geo_code is None else current.geo_code == geo_code
    ]
    issues = baseline_rules.fix_issues(
        fix,
        reason=reason,
        chart_segments=_chart_segments(db, measure_code, chart),
        measure_wide=geo_code is None,
        taken=scope_rows.segment_start.tolist(),
        frequency=_frequency(db, measure_code),
    )
    _refuse_if(issues)
    return _write(
        lambda: annotation_store.add_baseline(
            db,
            actor=who.display_name,
            measure_code=measure_code,
            geo_code=geo_code,
            segment_start=fix.segment_start,
            n_points=fix.points,
            until_period=fix.until,
            reason=rules.clean_text(reason),
        )
    )


def remove_baseline(
    db: Database, actor: Actor | None, baseline_id: int, reason: str | None
) -> None:
    """Withdraw a fixed baseline, for a stated reason (the segment's limits come from all
    its points again, or from the measure-wide fix)."""
    who = require(actor, Role.DATA_MANAGER, "remove a fixed baseline")
    _refuse_if(baseline_rules.removal_issues(reason))
    allowed = scope_guard(db, who, "remove a fixed baseline")
    _write(
        lambda: annotation_store.remove_baseline(
            db,
            baseline_id,
            actor=who.display_name,
            reason=rules.clean_text(reason),
            allowed=allowed,
        )
    )


@cache.per_data_version(maxsize=64)
def _baselines_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    return annotation_store.baselines_for(db, measure_code, geo_code)


def baselines_for(db: Database, measure_code: str, geo_code: str) -> pd.DataFrame:
    """The fixed baselines that bear on one chart: its own and its measure's (geo_code
    None), with who fixed them and why."""
    return _baselines_for(db, measure_code, geo_code).copy(deep=False)


def _fix_of(row) -> FixedBaseline:
    return FixedBaseline(
        segment_start=row.segment_start, points=row.n_points, until=row.until_period
    )


@cache.per_data_version(maxsize=4)
def _all_baselines(db: Database) -> dict[tuple[str, str | None], tuple[FixedBaseline, ...]]:
    out: dict[tuple[str, str | None], list[FixedBaseline]] = {}
    for row in annotation_store.all_baselines(db).itertuples():
        out.setdefault((row.measure_code, row.geo_code), []).append(_fix_of(row))
    return {key: tuple(fixes) for key, fixes in out.items()}


def all_baselines(db: Database) -> dict[tuple[str, str | None], list[FixedBaseline]]:
    """Every active fixed baseline keyed by (measure, geography), geography None for a fix
    on every chart of the measure; ``baselines.for_series`` picks one series' list (its own
    fix of a segment wins over the measure-wide one)."""
    return {key: list(fixes) for key, fixes in _all_baselines(db).items()}

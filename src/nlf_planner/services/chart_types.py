"""Which control chart each measure's SPC limits come from: XmR (the default), the p-chart
or Laney's p′-chart, chosen per measure by a data manager for a stated reason.

The read (:func:`chart_types`) is kept per data version; the regions model passes it to
``spc.spc_many`` so every series of a measure (England, regions, ICBs) uses the same chart,
and every surface that shows a limit can say which chart it came from. The write checks the
person first (a data manager for all England: a measure's chart is England-level, so a
region-scoped person is refused), then the rules in :mod:`nlf_planner.chart_choice` against
the real measure and its data (p and p′ only for a percentage with counts in every period),
then the store writes the change and its audit row in one transaction. :func:`suggestion`
says which chart the data suggest, and why; a person confirms.
"""

from __future__ import annotations

import pandas as pd

from nlf_planner import chart_choice as rules
from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services import cache
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services.access import NATIONAL, require_scope
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.errors import NothingToSave, ReadOnly, ValidationFailed
from nlf_planner.store import Database, ReadOnlyError
from nlf_planner.store import chart_types as chart_type_store


@cache.per_data_version(maxsize=4)
def _chart_types(db: Database) -> dict[str, str]:
    return chart_type_store.chart_types(db)


def chart_types(db: Database) -> dict[str, str]:
    """Measure code → chart type ("p" or "pp") for every measure not on the XmR chart;
    a measure missing from the mapping uses the XmR chart. The caller gets its own copy."""
    return dict(_chart_types(db))


def chart_type(db: Database, measure_code: str) -> str:
    """The chart one measure's limits come from ("xmr", "p" or "pp")."""
    return _chart_types(db).get(measure_code, chart_type_store.DEFAULT_CHART_TYPE)


@cache.per_data_version(maxsize=4)
def _chart_type_records(db: Database) -> dict[str, dict]:
    """Measure code → its chart-type row, made once per data version: the measure view asks
    on every rerun, and filtering the frame each time cost a fragment rerun about 0.5 ms."""
    rows = chart_type_store.chart_type_rows(db)
    return {str(row["measure_code"]): row for row in rows.to_dict("records")}


def chart_type_record(db: Database, measure_code: str) -> dict | None:
    """Who chose a measure's p or p′ chart, when and why; None for the default XmR chart.
    The caller gets its own copy."""
    record = _chart_type_records(db).get(measure_code)
    return None if record is None else dict(record)


def _series(db: Database, measure_code: str) -> pd.DataFrame:
    """The measure's rows of every series, from the one all-series read the regions model
    also uses (a per-measure read would take a slot of its own in that read's cache)."""
    frame = measurement_service.all_series(db)
    return frame[frame.measure_code == measure_code]


@cache.per_data_version(maxsize=4)
def _counts_by_measure(db: Database) -> dict[str, bool]:
    """Measure code → every period of every series has a numerator and a positive
    denominator."""
    frame = measurement_service.all_series(db)
    ok = frame.numerator.notna() & frame.denominator.notna() & (frame.denominator > 0)
    return {str(code): bool(v) for code, v in ok.groupby(frame.measure_code).all().items()}


def has_counts(db: Database, measure_code: str) -> bool:
    """Whether the measure's data carry the counts a p-chart needs (False without data)."""
    return _counts_by_measure(db).get(measure_code, False)


def allowed(db: Database, measure_code: str) -> tuple[str, ...]:
    """The charts a measure may use (always XmR; p and p′ for a percentage with counts)."""
    m = reference_service.measure(db, measure_code)
    if m is None:
        return ()
    return rules.allowed_chart_types(m.unit, has_counts(db, measure_code))


def set_chart_type(
    db: Database,
    actor: Actor | None,
    measure_code: str,
    chart_type: str | None,
    reason: str | None,
) -> None:
    """Set the chart a measure's limits come from, for a stated reason (audited)."""
    who = require_scope(
        db, actor, Role.DATA_MANAGER, "change the chart a measure's limits come from", NATIONAL
    )
    units = {m.code: m.unit for m in reference_service.measures(db)}
    counts = measure_code in units and has_counts(db, measure_code)
    issues = rules.chart_type_issues(
        measure_code=measure_code,
        chart_type=chart_type,
        reason=reason,
        units=units,
        counts=counts,
    )
    if issues:
        raise ValidationFailed(rules.summary(issues), issues)
    try:
        changed = chart_type_store.set_chart_type(
            db,
            measure_code=measure_code,
            chart_type=str(chart_type),
            reason=rules.clean_reason(reason),
            actor=who.display_name,
        )
    except ReadOnlyError as exc:
        raise ReadOnly(str(exc)) from exc
    if not changed:
        raise NothingToSave(
            f"{measure_code} already uses the {rules.LABELS[str(chart_type)]}: nothing was changed."
        )


@cache.per_data_version(maxsize=32)
def _suggestion(db: Database, measure_code: str) -> rules.Suggestion:
    m = reference_service.measure(db, measure_code)
    if m is None:
        return rules.Suggestion("xmr", f"Unknown measure {measure_code!r}.")
    frame = _series(db, measure_code).sort_values(["geo_code", "period"], kind="stable")
    series = [
        rules.SeriesCounts(
            str(geo),
            group.numerator.tolist(),
            group.denominator.tolist(),
        )
        for geo, group in frame.groupby("geo_code", sort=True)
    ]
    return rules.suggest(
        m.unit,
        series,
        main_geo=ENGLAND_CODE,
        names=reference_service.geography_names(db),
    )


def suggestion(db: Database, model: object, measure_code: str) -> rules.Suggestion:
    """The chart the measure's data suggest, with its plain-English reason.

    Read from the measure's series (every geography), kept per data version; ``model`` (the
    regions model the page already holds) is accepted so callers need not know that."""
    del model
    return _suggestion(db, measure_code)

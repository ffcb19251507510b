"""Which control chart each measure's SPC limits come from: XmR (the default), the p-chart
or Laney's p′-chart, chosen per measure by a data manager for a stated reason.

The read (:func:`chart_types`) is kept per data version; the regions model passes it to
``spc.spc_many`` so every series of a measure (England, regions, ICBs) uses the same chart,
and every surface that shows a limit can say which chart it came from. The write checks the
person first (a data manager for all England: a measure's chart is England-level, so a
region-scoped person is refused), then the rules in :mod:`nlf_planner.chart_choice`, then
the store writes the change and its audit row in one transaction.
"""

from __future__ import annotations

from nlf_planner.services import cache
from nlf_planner.store import Database
from nlf_planner.store import chart_types as chart_type_store


@cache.per_data_version(maxsize=4)
def _chart_types(db: Database) -> dict[str, str]:
    return chart_type_store.chart_types(db)


def chart_types(db: Database) -> dict[str, str]:
    """Measure code → chart type ("p" or "pp") for every measure not on the XmR chart;
    a measure missing from the mapping uses the XmR chart. The caller gets its own copy."""
    return dict(_chart_types(db))

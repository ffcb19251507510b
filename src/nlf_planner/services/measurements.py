"""Reading measurement history: ICB, region and England series for charts and models.

Region and England values are sums of ICB numerators over sums of denominators, computed by
the store in SQL; this module is the pages' one way in. Each read is kept per data version
(``services.cache``), so a rerun with no new data reads nothing; every caller gets its own
shallow copy (pandas copy-on-write), so changing it cannot change what others see.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nlf_planner.services import cache
from nlf_planner.store import Database
from nlf_planner.store import measurements as measurement_store


@cache.per_data_version(maxsize=16)
def _all_series(
    db: Database, measure_codes: tuple[str, ...] | None, levels: tuple[str, ...] | None
) -> pd.DataFrame:
    return measurement_store.all_series(
        db, list(measure_codes) if measure_codes else None, levels=list(levels) if levels else None
    )


def all_series(
    db: Database,
    measure_codes: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every series (ICB, region, England) for the measures, at the levels asked for."""
    frame = _all_series(
        db, tuple(measure_codes) if measure_codes else None, tuple(levels) if levels else None
    )
    return frame.copy(deep=False)

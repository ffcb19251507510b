"""Reading measurement history: ICB, region and England series for charts and models.

Region and England values are sums of ICB numerators over sums of denominators, computed by
the store in SQL; this module is the pages' one way in.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nlf_planner.store import Database
from nlf_planner.store import measurements as measurement_store


def all_series(
    db: Database,
    measure_codes: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every series (ICB, region, England) for the measures, at the levels asked for."""
    return measurement_store.all_series(
        db, list(measure_codes) if measure_codes else None, levels=list(levels) if levels else None
    )

"""Synthetic extra areas for scale tests (``cli.generate --scale N``), never for real use.

Scale N adds N-1 synthetic copies of each of the 42 ICBs to the ``icbs`` table, in the same
region, with codes E549kkiii (k = copy, i = ICB) that no real ICB uses and names that say
"synthetic". The seeding service then writes history for all of them, so N× areas give N× rows
while every query, aggregate and page works unchanged.
"""

from __future__ import annotations

from nlf_planner.models import ICB
from nlf_planner.store import dialect
from nlf_planner.store.db import Database

SYNTHETIC_PREFIX = "E549"
MAX_SCALE = 100


def synthetic_code(copy: int, index: int) -> str:
    """Copy ``copy`` of the ``index``-th real ICB: a code no real ICB can have."""
    return f"{SYNTHETIC_PREFIX}{copy:02d}{index:03d}"


def add_scale_copies(db: Database, icbs: list[ICB], scale: int) -> list[ICB]:
    """The real ICBs plus (scale-1) synthetic copies of each, written to ``icbs``."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"--scale must be between 1 and {MAX_SCALE}.")
    real = [i for i in icbs if not i.code.startswith(SYNTHETIC_PREFIX)]
    copies = [
        ICB(
            code=synthetic_code(k, n),
            ods_code="",
            name=f"{i.name} (synthetic copy {k})",
            region_code=i.region_code,
        )
        for k in range(1, scale)
        for n, i in enumerate(real)
    ]
    if copies:
        db.write(
            lambda cur: cur.executemany(
                dialect.insert_values_sql(
                    "icbs", ("code", "ods_code", "name", "region_code"), conflict="ignore"
                ),
                [[c.code, c.ods_code, c.name, c.region_code] for c in copies],
            )
        )
    return real + copies

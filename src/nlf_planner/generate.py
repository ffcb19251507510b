"""Deterministic illustrative measurement history, ICB by ICB, April 2016 onwards.

The history is generated, not real: it is calibrated to the national figures in PRODUCT.md
(e.g. Staff Survey scores, the 2017 executive vacancy rate), with regional spread, trends and
a few special causes a board would recognise (a sustained shift after a programme starts, a
pandemic dip). Same seed and end month give identical tables.

Pure on purpose: measures and ICBs in, a frame out, nothing read or written here, so the
numbers are tested without a database. Writing them (with the plan, scenarios and engagement
seeds) is the seeding service's job (``services/seeding.py``); the command line is
``python -m nlf_planner.cli.generate [--end-month YYYY-MM] [--seed N] [--force] [--scale N]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from nlf_planner.compare import Z95
from nlf_planner.models import Measure
from nlf_planner.periods import period_starts

DEFAULT_SEED = 20160601


@dataclass(frozen=True)
class Profile:
    """National path of one measure: level in April 2016, change per year, step changes."""

    start: float
    slope: float
    spread: float  # regional standard deviation, in the measure's units
    denominator: str  # what is counted, scaled by ICB size
    shifts: tuple[tuple[date, float], ...] = field(default_factory=tuple)


# Per-ICB denominators as a share of the ICB's workforce headcount.
DENOMINATOR_SHARE = {
    "organisations": 1 / 4000,
    "board_members": 12 / 4000,
    "executive_posts": 6 / 4000,
    "senior_leaders": 0.02,
    "staff": 1.0,
    "respondents": 0.45,
    "curricula": 1 / 1500,
}

PROFILES: dict[str, Profile] = {
    "M01": Profile(8, 3.0, 6, "organisations", ((date(2022, 7, 1), 20.0),)),
    "M02": Profile(4, 1.2, 2.5, "senior_leaders", ((date(2019, 4, 1), 4.0),)),
    "M03": Profile(22, 2.5, 6, "organisations"),
    "M04": Profile(7.0, 0.045, 0.12, "respondents"),
    "M05": Profile(7, 0.9, 3, "board_members"),
    "M06": Profile(20, 1.2, 5, "executive_posts"),
    "M07": Profile(58, -0.2, 3, "respondents", ((date(2021, 4, 1), -2.0),)),
    "M08": Profile(
        8.3, -0.15, 2.0, "executive_posts", ((date(2020, 4, 1), 2.5), (date(2022, 4, 1), -1.5))
    ),
    "M09": Profile(2.9, 0.05, 0.35, "organisations"),
    "M10": Profile(3, 1.1, 2.5, "staff", ((date(2023, 4, 1), 3.5),)),
    "M11": Profile(56, 0.4, 2.5, "respondents"),
    "M12": Profile(12, 2.2, 5, "curricula"),
    "M13": Profile(7.0, 0.01, 0.12, "respondents", ((date(2021, 4, 1), -0.25),)),
    "M14": Profile(5.2, 0.03, 0.15, "respondents"),
    "M15": Profile(72.5, 0.35, 2.5, "respondents"),
    "M16": Profile(48, 1.8, 6, "organisations"),
    "M17": Profile(33, 1.0, 3, "respondents"),
}

SCORE_SD = 1.8  # respondent-level standard deviation of a 0–10 theme score
TENURE_SD = 2.4  # chief executive tenure, years


def icb_workforce(n_icbs: int, rng: np.random.Generator) -> np.ndarray:
    """Illustrative ICB workforce headcounts summing to about 1.5 million (uneven on purpose)."""
    raw = rng.lognormal(mean=0.0, sigma=0.45, size=n_icbs)
    return raw / raw.sum() * 1_500_000


def _national_path(profile: Profile, when: np.ndarray, starts: list[date]) -> np.ndarray:
    level = profile.start + profile.slope * when
    for shift_date, delta in profile.shifts:
        level = level + delta * np.array([s >= shift_date for s in starts])
    return level


def generate_measurements(
    measure_list: list[Measure],
    icb_codes: list[str],
    icb_regions: list[str],
    end_month: date,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
) -> pd.DataFrame:
    """All ICB rows for every measure, as a frame ready for the store.

    ``scale`` is accepted for callers that pass it; the extra areas come in ``icb_codes``.
    """
    rng = np.random.default_rng(seed)
    workforce = icb_workforce(len(icb_codes), rng)
    region_codes = sorted(set(icb_regions))
    region_index = np.array([region_codes.index(r) for r in icb_regions])
    frames = []
    for m in measure_list:
        profile = PROFILES[m.code]
        starts = period_starts(m.frequency, end_month)
        if not starts:
            continue
        when = np.array([(s.year - 2016) + (s.month - 4) / 12 for s in starts])
        national = _national_path(profile, when, starts)
        region_level = rng.normal(0, profile.spread, len(region_codes))
        region_pace = rng.normal(1.0, 0.35, len(region_codes))
        icb_level = rng.normal(0, profile.spread / 2, len(icb_codes))
        level = (
            national[None, :]
            + (region_pace[region_index, None] - 1.0) * profile.slope * when[None, :]
            + region_level[region_index, None]
            + icb_level[:, None]
        )
        growth = 1.015**when
        den = np.maximum(
            1, np.round(workforce[:, None] * DENOMINATOR_SHARE[profile.denominator] * growth)
        )
        num, value, ci_low, ci_high = _draw(m, level, den, rng)
        n_icb, n_per = level.shape
        frames.append(
            pd.DataFrame(
                {
                    "measure_code": m.code,
                    "geo_code": np.repeat(icb_codes, n_per),
                    "period": np.tile(np.array(starts, dtype="datetime64[D]"), n_icb),
                    "numerator": num.ravel(),
                    "denominator": den.ravel(),
                    "value": value.ravel(),
                    "ci_low": ci_low.ravel(),
                    "ci_high": ci_high.ravel(),
                    "illustrative": True,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["period"] = pd.to_datetime(out["period"]).dt.date
    return out


def _draw(m: Measure, level: np.ndarray, den: np.ndarray, rng: np.random.Generator):
    """Sample numerators around the expected level; scores carry a 95% interval."""
    nan = np.full(level.shape, np.nan)
    if m.unit == "percent":
        p = np.clip(level / 100.0, 0.001, 0.999)
        num = rng.binomial(den.astype(np.int64), p).astype(float)
        return num, 100.0 * num / den, nan, nan
    sd = SCORE_SD if m.unit == "score_0_10" else TENURE_SD
    upper = 10.0 if m.unit == "score_0_10" else 40.0
    se = sd / np.sqrt(den)
    mean = np.clip(level + rng.normal(0, 1, level.shape) * se, 0.0, upper)
    mean = np.round(mean, 3)
    return mean * den, mean, mean - Z95 * se, mean + Z95 * se

"""Settings read from the environment, so tests and deployments can point at their own files."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nlf_planner.periods import HISTORY_START

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
CONTENT_DIR = Path(__file__).resolve().parent / "content"

ILLUSTRATIVE_NOTICE = (
    "Measurement history shown here is illustrative, generated for demonstration; "
    "framework, regions and ICBs are real. Load real data on the Data page."
)


#: ``NLF_EARLIEST_PERIOD`` when unset: the earliest period a measurement import accepts. The
#: framework's illustrative history starts in April 2016; real series from before it (the
#: baseline an evaluation of the framework compares against) may go back to here.
DEFAULT_EARLIEST_PERIOD = date(2010, 4, 1)
#: The setting may not go further back than the NHS itself (July 1948) ...
EARLIEST_PERIOD_FLOOR = date(1948, 7, 1)
#: ... nor later than April 2016, where the framework's history starts (``periods``).
EARLIEST_PERIOD_CEILING = HISTORY_START
EARLIEST_PERIOD_ENV = "NLF_EARLIEST_PERIOD"


class SettingError(ValueError):
    """A setting holds a value the app cannot use; the message names it and says what to write."""


@dataclass(frozen=True)
class Settings:
    db_path: Path
    spc_run_length: int
    stale_days: int
    #: ``NLF_DATABASE_URL`` (``postgresql://…``): a shared PostgreSQL server instead of the
    #: DuckDB file, for several app replicas. Unset: the file at ``db_path``, as always.
    database_url: str | None = None
    #: ``NLF_KEEP_BACKUPS``: how many automatic backups (made before each import and each
    #: restore) are kept in data/backups/; older ones are deleted. Backups made by hand are
    #: never deleted.
    kept_backups: int = 20
    #: ``NLF_EARLIEST_PERIOD`` as written (YYYY-MM; blank = 2010-04); read it through
    #: :attr:`earliest_period`, which refuses a value that is not a usable month.
    earliest_period_text: str = ""

    @property
    def earliest_period(self) -> date:
        """The first month a measurement import accepts; :class:`SettingError` (saying what
        to write) when ``NLF_EARLIEST_PERIOD`` is not a month from 1948-07 to 2016-04."""
        return parse_earliest_period(self.earliest_period_text)

    @property
    def database_target(self) -> Path | str:
        """What the app opens: the server URL when one is set, else the DuckDB file."""
        return self.database_url or self.db_path


def get_settings() -> Settings:
    """Read settings each call: env changes in tests take effect without a restart."""
    db = os.environ.get("NLF_DB_PATH") or str(PROJECT_ROOT / "data" / "nlf.duckdb")
    run_length = int(os.environ.get("NLF_SPC_RUN_LENGTH", "7"))
    if run_length not in (6, 7):
        run_length = 7
    return Settings(
        db_path=Path(db),
        spc_run_length=run_length,
        stale_days=int(os.environ.get("NLF_STALE_DAYS", "90")),
        database_url=os.environ.get("NLF_DATABASE_URL", "").strip() or None,
        kept_backups=_kept_backups(os.environ.get("NLF_KEEP_BACKUPS", "")),
        earliest_period_text=os.environ.get(EARLIEST_PERIOD_ENV, "").strip(),
    )


def parse_earliest_period(text: str) -> date:
    """``NLF_EARLIEST_PERIOD`` (YYYY-MM) as the first day of that month; blank gives the
    default (April 2010). Anything else is refused, naming the setting and what to write,
    rather than quietly replaced: a wrong limit would refuse or admit real history."""
    text = text.strip()
    if not text:
        return DEFAULT_EARLIEST_PERIOD
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    month = int(m.group(2)) if m else 0
    if not m or not 1 <= month <= 12:
        raise SettingError(
            f"The setting {EARLIEST_PERIOD_ENV} is {text!r}; write a month as YYYY-MM, for "
            f"example {DEFAULT_EARLIEST_PERIOD:%Y-%m} (the default when it is not set)."
        )
    value = date(int(m.group(1)), month, 1)
    if not EARLIEST_PERIOD_FLOOR <= value <= EARLIEST_PERIOD_CEILING:
        raise SettingError(
            f"The setting {EARLIEST_PERIOD_ENV} is {text}; it must lie between "
            f"{EARLIEST_PERIOD_FLOOR:%Y-%m} (the NHS began in July 1948) and "
            f"{EARLIEST_PERIOD_CEILING:%Y-%m} (where the framework's history starts)."
        )
    return value


def _kept_backups(text: str) -> int:
    """At least 1 (the one just made), 20 when unset or not a whole number."""
    try:
        return max(1, int(text))
    except ValueError:
        return 20

"""Settings read from the environment, so tests and deployments can point at their own files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
CONTENT_DIR = Path(__file__).resolve().parent / "content"

ILLUSTRATIVE_NOTICE = (
    "Measurement history shown here is illustrative, generated for demonstration; "
    "framework, regions and ICBs are real. Load real data on the Data page."
)


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
    )


def _kept_backups(text: str) -> int:
    """At least 1 (the one just made), 20 when unset or not a whole number."""
    try:
        return max(1, int(text))
    except ValueError:
        return 20

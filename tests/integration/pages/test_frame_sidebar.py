"""The sidebar's facts about the data: one caption (one element each run sends), saying the
data's month, whether changes can be saved, and the app's version."""

import shutil

from nlf_planner import __version__
from tests.apptest_utils import run_page
from tests.db_holders import held_by_other_process


def _facts(at) -> list[str]:
    return [c.value for c in at.sidebar.caption if "Data as of" in c.value]


def test_the_data_month_and_the_version_share_one_caption(seeded_db_path) -> None:
    at = run_page(None, seeded_db_path)
    assert not at.exception
    assert _facts(at) == [f"Data as of Oct 2026  \nNLF Planner {__version__}"]


def test_a_read_only_file_says_so_in_the_same_caption(seeded_db_path, tmp_path) -> None:
    path = tmp_path / "shared.duckdb"
    shutil.copy(seeded_db_path, path)
    with held_by_other_process(path, read_only=True):
        at = run_page(None, path)
    assert not at.exception
    assert _facts(at) == [
        f"Data as of Oct 2026  \n:material/lock: Read-only  \nNLF Planner {__version__}"
    ]

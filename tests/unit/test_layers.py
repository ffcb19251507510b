"""The layer contract (``.importlinter``) really catches an import that points the wrong way.

``make lint`` runs import-linter on the tree as it is; these tests plant one wrong import in a
copy of the code and check the contract breaks, and that no module escapes the contract by
being missing from its lists.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nlf_planner.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / ".importlinter"
LINT = Path(sys.executable).with_name("lint-imports")


def _contract(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser[f"importlinter:contract:{name}"]


def _domain_layer() -> set[str]:
    layers = [line.strip() for line in _contract("layers")["layers"].splitlines() if line.strip()]
    return {m.strip() for m in layers[-1].split(":")}


def test_every_top_level_module_sits_in_a_layer() -> None:
    package = PROJECT_ROOT / "src" / "nlf_planner"
    top = {
        f"nlf_planner.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()
    }
    upper = {"nlf_planner.ui", "nlf_planner.cli", "nlf_planner.services", "nlf_planner.store"}
    assert top - upper == _domain_layer(), "add new modules to .importlinter's domain layer"
    for name in ("only-store-speaks-sql", "streamlit-only-in-ui"):
        sources = {s.strip() for s in _contract(name)["source_modules"].split() if s.strip()}
        assert _domain_layer() <= sources, name


def _lint_copy(tmp_path: Path, path: str, line: str) -> subprocess.CompletedProcess:
    """import-linter on a copy of the code with ``line`` added to ``path``."""
    shutil.copytree(PROJECT_ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copytree(PROJECT_ROOT / "pages", tmp_path / "pages")
    shutil.copy(CONFIG, tmp_path / ".importlinter")
    target = tmp_path / path
    target.write_text(target.read_text() + f"\n{line}\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'src'}{os.pathsep}{tmp_path}"}
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("path", "line", "broken"),
    [
        (
            "src/nlf_planner/spc.py",
            "from nlf_planner.store import Database  # noqa",
            "nlf_planner.spc is not allowed to import nlf_planner.store",
        ),
        (
            "src/nlf_planner/store/audit.py",
            "from nlf_planner.services import errors  # noqa",
            "nlf_planner.store is not allowed to import nlf_planner.services",
        ),
        (
            "pages/overview.py",
            "import duckdb  # noqa",
            "Only the store imports the database driver BROKEN",
        ),
        (
            "src/nlf_planner/ui/sidebar.py",
            "from nlf_planner.store import reference  # noqa",
            "Pages, ui and the command line reach the store only through services BROKEN",
        ),
        (
            "src/nlf_planner/services/audit.py",
            "import streamlit  # noqa",
            "Only pages and ui know Streamlit",
        ),
    ],
)
def test_a_wrong_import_breaks_the_contract(tmp_path: Path, path, line, broken) -> None:
    result = _lint_copy(tmp_path, path, line)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout

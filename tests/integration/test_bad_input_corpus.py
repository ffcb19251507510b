"""The bad-input corpus (issue 15): hostile files for every import kind and for restore, and
hostile text for every free-text field the data transfer services own, all built here (never
downloaded). Each must be refused with a clear message (a ``ServiceError`` with readable
text), never another exception, and leave a digest of every table unchanged.

Run with ``-s`` to print the counts: files and strings tried, refused with a clear message,
tables changed (must be 0).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nlf_planner.services import data_transfer
from nlf_planner.services.actor import local_actor
from nlf_planner.services.errors import ServiceError
from nlf_planner.store import Database
from tests import hostile_files as hostile

ADMIN = local_actor("Corpus Admin")  # every role: refusals are the file's, not the role's
STAKEHOLDER = "Corpus Test Trust"

#: Control characters in free text: each refused by the one rule (nlf_planner.textcheck).
CONTROL_STRINGS: tuple[str, ...] = (
    "Acme\x1bTrust",
    "\x1b[2J\x1b[Hcleared",
    "null\x00byte",
    "bell\x07ring",
    "back\x08space",
    "vertical\x0btab",
    "form\x0cfeed",
    "unit\x1fsep",
    "delete\x7fchar",
    "next\x85line",
    "csi\x9b31m",
    "private\x91use",
)
#: Only refused in single-line fields (multi-line ones allow line breaks).
LINE_BREAKS: tuple[str, ...] = ("two\nlines", "carriage\rreturn")

#: The free-text columns of each import kind's file (multi-line ones marked).
TEXT_COLUMNS: dict[str, dict[str, bool]] = {
    "measurements": {"measure_code": False, "geo_code": False},
    "plan_targets": {"measure_code": False},
    "plan_milestones": {"title": False, "description": True, "owner": False},
    "stakeholders": {"name": False, "owner": False, "next_step": True},
    "engagement_events": {
        "title": False,
        "audience": False,
        "outcome": True,
        "actions": True,
    },
}

#: Columns per kind where absurd numbers and far-out dates go.
NUMBER_COLUMNS = {
    "measurements": ["numerator", "denominator", "value"],
    "plan_targets": ["y1", "y3", "y5"],
    "plan_milestones": ["horizon"],
    "stakeholders": ["interest", "influence"],
    "engagement_events": [],
}
DATE_COLUMNS = {
    "measurements": ["period"],
    "plan_targets": [],
    "plan_milestones": ["due_date"],
    "stakeholders": ["last_contact"],
    "engagement_events": ["event_date"],
}
ABSURD_NUMBERS = ("1e308", "-1e308", "1e400", "NaN", "inf", "-5", "99999999999999999999")
FAR_DATES = ("9999-12-31", "0001-01-01", "1900-01-01", "2200-06-01", "31/02/2025")
#: The key whose repetition in one file is refused, per kind (events may repeat).
DUPLICATE_KINDS = ("measurements", "plan_targets", "stakeholders")


@dataclass
class Tally:
    """What the corpus tried and what happened, for the report and the assertions."""

    files: int = 0
    strings: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)


def digest(db: Database) -> dict[str, str]:
    """A hash of every table's rows, in a fixed order."""
    out = {}
    for name in data_transfer.table_names(db):
        df = data_transfer.table_rows(db, name)
        df = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
        out[name] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
    return out


def readable(message: str) -> bool:
    """Plain words a person can act on: no traceback, no driver, no object reprs."""
    bad = ("Traceback", 'File "/', "duckdb.", "psycopg", "<class", "object at 0x")
    return len(message.strip()) >= 20 and not any(b in message for b in bad)


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def template_rows(db: Database, kind: str) -> list[dict[str, str]]:
    """The kind's own template rows (valid against the seeded data), as text cells."""
    text = data_transfer.import_template(db, kind)[1].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    if kind == "stakeholders":
        rows = [{**rows[0], "name": STAKEHOLDER}]
    return rows


def with_cell(rows: list[dict[str, str]], column: str, value: str) -> list[dict[str, str]]:
    return [{**rows[0], column: value}, *rows[1:]]


def _workbook(rows: list[dict[str, str]]) -> bytes:
    return hostile.xlsx([list(rows[0]), *[list(r.values()) for r in rows]])


def hostile_files(db: Database, kind: str) -> dict[str, tuple[str, bytes]]:
    """Every hostile file for one kind: name → (file name, bytes)."""
    rng = random.Random(15)
    rows = template_rows(db, kind)
    good = csv_bytes(rows)
    heading = good.split(b"\r\n", 1)[0]
    files: dict[str, tuple[str, bytes]] = {
        "empty": ("empty.csv", b""),
        "blank lines": ("blank.csv", b"  \r\n\r\n \t\r\n"),
        "binary junk": ("junk.csv", rng.randbytes(4096)),
        "binary junk named xlsx": ("junk.xlsx", rng.randbytes(4096)),
        "truncated xlsx": (
            "cut.xlsx",
            hostile.xlsx([list(rows[0]), *[list(r.values()) for r in rows]])[:700],
        ),
        "zip bomb": ("bomb.xlsx", hostile.zip_bomb_xlsx(8)),
        "declared 1 GiB": ("declared.xlsx", hostile.declared_size_xlsx(1 << 30)),
        "lying zip bomb": ("liar.xlsx", hostile.lying_bomb_xlsx(8)),
        "huge declared dimension": ("wide.xlsx", hostile.declared_dimension_xlsx(10_000)),
        "zip that is no workbook": ("data.xlsx", hostile.deflate_bomb_zip({"hello.txt": 0})),
        "old xls": ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(2000)),
        "over 20 MB": ("big.csv", heading + b"\r\n" + b"x" * (21 * 1024 * 1024)),
        "wrong columns": ("wrong.csv", b"foo,bar,baz\r\n1,2,3\r\n"),
        "heading only": ("heading.csv", heading + b"\r\n"),
        "duplicate headings": ("dup.csv", heading + b"," + heading.split(b",")[0] + b"\r\n"),
        "unclosed quote": ("quote.csv", heading + b'\r\n"unclosed,1,2\r\n'),
        "UTF-16": ("utf16.csv", good.decode().encode("utf-16")),
        "not UTF-8 or Windows-1252": ("bytes.csv", heading + b"\r\n\x81\x8d\x8f\x90\x9d\r\n"),
        "a million-cell row": ("cells.csv", heading + b"\r\n" + b"x," * 1_000_000 + b"\r\n"),
        "formulas in every cell": (
            "formulas.csv",
            csv_bytes(
                [
                    {c: f'=HYPERLINK("http://127.0.0.1:9/{c}","x")' for c in rows[0]},
                    {c: "+CMD|' /C calc'!A0" for c in rows[0]},
                    {c: "@SUM(1+1)*cmd|' /C calc'!A0" for c in rows[0]},
                ]
            ),
        ),
    }
    for column in NUMBER_COLUMNS[kind]:
        for n in ABSURD_NUMBERS:
            files[f"absurd number {n} in {column}"] = (
                "n.csv",
                csv_bytes(with_cell(rows, column, n)),
            )
    for column in DATE_COLUMNS[kind]:
        for d in FAR_DATES:
            files[f"date {d} in {column}"] = ("d.csv", csv_bytes(with_cell(rows, column, d)))
    if kind in DUPLICATE_KINDS:
        files["duplicate keys"] = ("dup-rows.csv", csv_bytes([rows[0], rows[0]]))
    return files


def hostile_text_files(db: Database, kind: str) -> dict[str, tuple[str, bytes]]:
    """A valid file with one hostile string in one free-text column, for every column."""
    rows = template_rows(db, kind)
    files = {}
    for column, multiline in TEXT_COLUMNS[kind].items():
        strings = CONTROL_STRINGS + (() if multiline else LINE_BREAKS)
        for i, text in enumerate(strings):
            files[f"{column} = {text!r}"] = (
                f"text-{i}.csv",
                csv_bytes(with_cell(rows, column, text)),
            )
    return files


def attempt(tally: Tally, label: str, action: Callable[[], object]) -> None:
    """Run one hostile input; count a clear refusal, record anything else."""
    try:
        action()
    except ServiceError as exc:
        if readable(str(exc)):
            tally.refused += 1
        else:
            tally.failures.append(f"{label}: unclear message {str(exc)[:200]!r}")
    except Exception as exc:  # noqa: BLE001 - the corpus records every other failure
        tally.failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
    else:
        tally.failures.append(f"{label}: accepted")


def import_action(db: Database, kind: str, name: str, data: bytes, reason: str | None = None):
    def run():
        checked = data_transfer.check_upload(db, kind, data, name)
        data_transfer.apply_import(db, ADMIN, checked, reason=reason, backup_first=True)

    return run


# --- restore -------------------------------------------------------------------------------


def _rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The backup with members changed; signature.json dropped (restored on say-so)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == "signature.json":
                continue
            new = change(info.filename, src.read(info.filename))
            if new is not None:
                dst.writestr(info.filename, new)
    return out.getvalue()


def _manifest(data: bytes, mutate: Callable[[dict], object]) -> bytes:
    def change(name: str, body: bytes) -> bytes:
        if name != "manifest.json":
            return body
        manifest = json.loads(body)
        mutate(manifest)
        return json.dumps(manifest).encode()

    return _rezip(data, change)


def hostile_backups(good: bytes) -> dict[str, tuple[bytes, bool]]:
    """Every hostile backup: name → (bytes, whether the admin allows an unsigned file)."""
    rng = random.Random(15)
    first_table = next(
        n for n in zipfile.ZipFile(io.BytesIO(good)).namelist() if n.startswith("tables/")
    )
    return {
        "empty": (b"", True),
        "binary junk": (rng.randbytes(4096), True),
        "truncated": (good[: len(good) // 2], True),
        "truncated near the end": (good[:-40], True),
        "zip bomb": (hostile.deflate_bomb_zip({"manifest.json": 8}), True),
        "declared 1 GiB manifest": (
            hostile._lie_about_sizes(_rezip(good, lambda n, b: b), "manifest.json", 1 << 30),
            True,
        ),
        "no manifest": (_rezip(good, lambda n, b: None if n == "manifest.json" else b), True),
        "manifest not JSON": (
            _rezip(good, lambda n, b: b"{not json" if n == "manifest.json" else b),
            True,
        ),
        "manifest of another format": (_manifest(good, lambda m: m.update(format="x")), True),
        "newer schema": (_manifest(good, lambda m: m.update(schema_version=99)), True),
        "schema version 0": (_manifest(good, lambda m: m.update(schema_version=0)), True),
        "wrong row count": (
            _manifest(good, lambda m: m["tables"]["regions"].update(rows=8)),
            True,
        ),
        "missing table": (_manifest(good, lambda m: m["tables"].pop("icbs")), True),
        "unknown table": (
            _manifest(good, lambda m: m["tables"].update(evil=dict(m["tables"]["regions"]))),
            True,
        ),
        "table file replaced": (
            _rezip(good, lambda n, b: rng.randbytes(len(b)) if n == first_table else b),
            True,
        ),
        "signature stripped, not allowed": (_rezip(good, lambda n, b: b), False),
        "edited with the signature kept": (
            _manifest_keep_signature(good, lambda m: m.update(created_by="Mallory")),
            True,
        ),
    }


def _manifest_keep_signature(data: bytes, mutate: Callable[[dict], object]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "manifest.json":
                manifest = json.loads(body)
                mutate(manifest)
                body = json.dumps(manifest).encode()
            dst.writestr(info.filename, body)
    return out.getvalue()


# --- the corpus ----------------------------------------------------------------------------


@pytest.fixture
def corpus_db(fresh_seeded_db_path: Path) -> Database:
    from nlf_planner.services.database import open_store

    db = open_store(fresh_seeded_db_path)
    yield db
    db.close()


def test_every_hostile_file_and_string_is_refused_clearly_and_changes_nothing(corpus_db, tmp_path):
    db = corpus_db
    good_backup = data_transfer.backup_download(db, ADMIN)
    backups_before = sorted(data_transfer.backup_folder(db).glob("*.zip"))
    before = digest(db)
    tally = Tally()

    for kind in (k.key for k in data_transfer.import_kinds()):
        for label, (name, data) in hostile_files(db, kind).items():
            tally.files += 1
            attempt(tally, f"{kind} / {label}", import_action(db, kind, name, data))
        for label, (name, data) in hostile_text_files(db, kind).items():
            tally.strings += 1
            attempt(tally, f"{kind} / {label}", import_action(db, kind, name, data))

    # The free text the import and restore services own: the reason for the audit log.
    good_file = csv_bytes(template_rows(db, "plan_targets"))
    for text in CONTROL_STRINGS:
        tally.strings += 2
        attempt(
            tally,
            f"import reason {text!r}",
            import_action(db, "plan_targets", "t.csv", good_file, reason=text),
        )
        attempt(
            tally,
            f"restore reason {text!r}",
            lambda text=text: data_transfer.restore_backup(
                db, ADMIN, good_backup, reason=text, safety_dir=tmp_path / "safety"
            ),
        )

    for label, (data, allow_unsigned) in hostile_backups(good_backup).items():
        tally.files += 1

        def restore(data=data, allow_unsigned=allow_unsigned):
            data_transfer.check_backup(db, data)
            data_transfer.restore_backup(
                db,
                ADMIN,
                data,
                safety_dir=tmp_path / "safety",
                allow_unsigned=allow_unsigned,
            )

        attempt(tally, f"restore / {label}", restore)

    after = digest(db)
    changed = sorted(t for t in before if before[t] != after.get(t))
    tried = tally.files + tally.strings
    print(
        f"\nBad-input corpus: {tally.files} files and {tally.strings} strings tried; "
        f"{tally.refused} refused with a clear message; {len(tally.failures)} not; "
        f"tables changed: {len(changed)}."
    )
    print("\n".join(tally.failures))
    assert tally.failures == []
    assert tally.refused == tried
    assert changed == []
    assert sorted(data_transfer.backup_folder(db).glob("*.zip")) == backups_before
    assert not (tmp_path / "safety").exists()

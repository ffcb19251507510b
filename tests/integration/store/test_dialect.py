"""The dialect module: portable SQL in, each engine's placeholders and upserts out."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from nlf_planner.store import dialect


def test_placeholders_become_psycopgs_and_percent_signs_are_doubled():
    sql = "SELECT '100%' AS p, \"a?b\" FROM t WHERE x = ? AND y = $name -- it's a 95% note"
    assert dialect.to_pyformat(sql) == (
        "SELECT '100%%' AS p, \"a?b\" FROM t WHERE x = %s AND y = %(name)s "
    )


def test_question_marks_inside_quotes_are_left_alone():
    assert dialect.to_pyformat("SELECT 'why?' WHERE a = ?") == "SELECT 'why?' WHERE a = %s"


def test_upsert_replaces_the_non_key_columns_or_keeps_the_row():
    assert dialect.insert_values_sql("t", ("k", "v"), key=("k",), conflict="replace") == (
        "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
    )
    assert dialect.insert_values_sql("t", ("k", "v"), conflict="ignore").endswith(
        "ON CONFLICT DO NOTHING"
    )


def test_parameters_are_plain_python_values():
    ts = pd.Timestamp("2026-01-02 03:04:05")
    assert dialect.plain_params([np.int64(3), np.float64(1.5), np.bool_(True), ts, None]) == [
        3,
        1.5,
        True,
        ts.to_pydatetime(),
        None,
    ]
    assert dialect.plain_params({"d": date(2026, 1, 1), "l": [np.int32(1)]}) == {
        "d": date(2026, 1, 1),
        "l": [1],
    }


def test_the_same_sql_runs_on_both_engines(db):
    """A list parameter, an upsert and a NULL list behave the same on DuckDB and PostgreSQL."""
    db.write(
        lambda cur: cur.executemany(
            dialect.insert_values_sql(
                "app_meta", ("key", "value"), key=("key",), conflict="replace"
            ),
            [["a", "1"], ["b", "2"], ["a", "3"]],
        )
    )
    rows = db.rows(
        "SELECT key, value FROM app_meta WHERE key = ANY(CAST(? AS VARCHAR[])) ORDER BY key",
        [["a", "b"]],
    )
    assert rows == [("a", "3"), ("b", "2")]
    assert db.scalar("SELECT CAST(? AS VARCHAR[]) IS NULL", [None]) is True

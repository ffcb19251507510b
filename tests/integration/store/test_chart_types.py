"""The chart type per measure in the store: upserted, deleted back to XmR, and every change
audited in its own transaction (entity ``spc_chart_type``). Both backends.

The rules (proportions only, a reason, a data manager for all England) are checked by the
service: tests/integration/services/test_chart_types.py and tests/unit/test_chart_choice.py.
"""

from __future__ import annotations

import json

from nlf_planner.store import data_version
from nlf_planner.store.audit import audit_log
from nlf_planner.store.chart_types import chart_type_rows, chart_types, set_chart_type


def test_no_rows_means_every_measure_uses_the_xmr_chart(db):
    assert chart_types(db) == {}


def test_set_upserts_and_audits_each_change_in_its_transaction(db):
    v0 = data_version.data_version(db)
    assert set_chart_type(db, measure_code="M10", chart_type="p", reason="Varying n", actor="Ada")
    assert chart_types(db) == {"M10": "p"}
    v1 = data_version.data_version(db)
    assert v1 != v0
    assert set_chart_type(db, measure_code="M10", chart_type="pp", reason="Large n", actor="Bo")
    assert chart_types(db) == {"M10": "pp"}
    rows = chart_type_rows(db)
    assert rows.author.tolist() == ["Bo"] and rows.reason.tolist() == ["Large n"]
    log = audit_log(db, entity="spc_chart_type").sort_values("audit_id")
    assert log.actor.tolist() == ["Ada", "Bo"]
    assert log.entity_id.tolist() == ["M10", "M10"]
    assert log.reason.tolist() == ["Varying n", "Large n"]
    last = log.iloc[-1]
    assert json.loads(last.after_json) == {
        "measure_code": "M10",
        "chart_type": "pp",
        "reason": "Large n",
    }
    assert json.loads(last.before_json) == {"measure_code": "M10", "chart_type": "p"}


def test_back_to_xmr_deletes_the_row_and_keeps_the_history(db):
    set_chart_type(db, measure_code="M10", chart_type="pp", reason="Large n", actor="Ada")
    assert set_chart_type(db, measure_code="M10", chart_type="xmr", reason="Undo", actor="Ada")
    assert chart_types(db) == {}
    assert db.scalar("SELECT count(*) FROM spc_chart_types") == 0
    log = audit_log(db, entity="spc_chart_type").sort_values("audit_id")
    assert [json.loads(a)["chart_type"] for a in log.after_json] == ["pp", "xmr"]


def test_choosing_the_chart_already_in_use_writes_nothing(db):
    before = db.scalar("SELECT count(*) FROM audit_log")
    assert not set_chart_type(db, measure_code="M10", chart_type="xmr", reason="x", actor="Ada")
    set_chart_type(db, measure_code="M10", chart_type="p", reason="Varying n", actor="Ada")
    assert not set_chart_type(db, measure_code="M10", chart_type="p", reason="y", actor="Ada")
    assert db.scalar("SELECT count(*) FROM audit_log") == before + 1

"""The peer groups service and store on both backends: save, edit as a new version, a stale
save refused, delete, the audit rows, the data version moving, nearest neighbours and the
comparison with the peers' aggregate from the seeded data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nlf_planner.compare import wilson_interval
from nlf_planner.peers import PeerGroup
from nlf_planner.services import cache
from nlf_planner.services import database as database_service
from nlf_planner.services import peers as service
from nlf_planner.services.actor import Actor, Role, local_actor
from nlf_planner.services.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from nlf_planner.services.regions_view import build_regions_model
from nlf_planner.store import Database

EDITOR = local_actor("Asha Patel")
VIEWER = Actor(id="test:viewer", display_name="Vic Viewer", roles=frozenset({Role.VIEWER}))
LONDON_EDITOR = Actor(
    id="test:le", display_name="Lon Editor", roles=frozenset({Role.EDITOR}), region_code="E40000003"
)
NW_LONDON, NC_LONDON, NE_LONDON, SE_LONDON = "E54000027", "E54000028", "E54000029", "E54000030"
BLMK, CAMBS = "E54000024", "E54000056"


def _draft(**kw) -> PeerGroup:
    base = {"name": "London ICSs", "home_geo": NW_LONDON, "level": "icb",
            "members": (NC_LONDON, NE_LONDON)}  # fmt: skip
    return PeerGroup(**{**base, **kw})


def _counts(db: Database) -> tuple[int, int, int]:
    return tuple(
        int(db.scalar(f"SELECT count(*) FROM {t}"))
        for t in ("peer_groups", "peer_group_members", "audit_log")
    )


def _audit(db: Database) -> list[tuple]:
    return db.rows(
        """SELECT actor, action, entity_id, reason FROM audit_log WHERE entity = 'peer_group'
           ORDER BY audit_id"""
    )


def test_save_edit_stale_and_delete(db):
    cache.end_run()
    v0 = database_service.data_version(db)
    saved = service.save_group(db, EDITOR, _draft(name="  London ICSs "))
    assert (saved.version, saved.name, saved.author) == (1, "London ICSs", "Asha Patel")
    assert saved.members == (NC_LONDON, NE_LONDON)
    v1 = database_service.data_version(db)
    assert v1 != v0  # every cached read goes stale
    assert [g.peer_group_id for g in service.list_groups(db)] == [saved.peer_group_id]

    edited = service.save_group(
        db, EDITOR, replace(saved, name="Big London", members=(NC_LONDON, SE_LONDON)), 1
    )
    assert (edited.peer_group_id, edited.version) == (saved.peer_group_id, 2)
    assert service.group(db, saved.peer_group_id).members == (NC_LONDON, SE_LONDON)
    assert service.group(db, saved.peer_group_id, 1).name == "London ICSs"  # kept
    assert database_service.data_version(db) != v1
    assert service.versions(db, saved.peer_group_id).version.tolist() == [2, 1]
    assert service.versions(db, saved.peer_group_id).members.tolist() == [2, 2]

    before = _counts(db)
    with pytest.raises(StaleVersion) as stale:  # someone else saved version 2 after v1
        service.save_group(db, EDITOR, replace(saved, name="Mine"), expected_version=1)
    assert stale.value.current_version == 2
    assert _counts(db) == before

    service.delete_group(db, EDITOR, saved.peer_group_id, reason="Not used")
    assert service.list_groups(db) == []
    with pytest.raises(NotFound):
        service.group(db, saved.peer_group_id)
    assert int(db.scalar("SELECT count(*) FROM peer_groups")) == 2  # soft: versions kept
    gid = saved.peer_group_id
    assert _audit(db) == [
        ("Asha Patel", "create", f"{gid}/v1", None),
        ("Asha Patel", "new_version", f"{gid}/v2", None),
        ("Asha Patel", "delete", str(gid), "Not used"),
    ]
    second = service.save_group(db, EDITOR, _draft(name="Another"))
    assert second.peer_group_id != gid


def test_invalid_drafts_and_refusals_write_nothing(db):
    before = _counts(db)
    with pytest.raises(ValidationFailed) as bad:
        service.save_group(db, EDITOR, _draft(name="", members=(NW_LONDON, "E40000003")))
    fields = {i.field for i in bad.value.issues}
    assert fields == {"Name", "Members"}
    with pytest.raises(NotAllowed, match="editor role"):
        service.save_group(db, VIEWER, _draft())
    with pytest.raises(NotAllowed, match="London"):
        service.save_group(db, LONDON_EDITOR, _draft(home_geo=BLMK, members=(CAMBS, NC_LONDON)))
    assert _counts(db) == before
    mine = service.save_group(db, LONDON_EDITOR, _draft())  # home in London: allowed
    # Moving the group's home out of London is refused too (the old home is checked).
    with pytest.raises(NotAllowed, match="London"):
        service.save_group(
            db, LONDON_EDITOR, replace(mine, home_geo=BLMK, members=(CAMBS, NC_LONDON))
        )
    with pytest.raises(ValidationFailed, match="why"):
        service.delete_group(db, EDITOR, mine.peer_group_id, reason=" ")
    with pytest.raises(NotFound):
        service.delete_group(db, EDITOR, 999, reason="x")


def test_nearest_neighbours_and_the_peers_aggregate(fresh_seeded_db):
    db = fresh_seeded_db
    cache.end_run()
    found = service.suggest_nearest(db, NW_LONDON, "M10", 4)
    assert len(found) == 4 and NW_LONDON not in set(found.geo_code)
    assert found.distance.is_monotonic_increasing
    assert all(code.startswith("E54") for code in found.geo_code)
    group = service.save_group(
        db, EDITOR, _draft(members=tuple(found.geo_code), method="nearest", basis_measure="M10")
    )
    model = build_regions_model(db, None)
    res = service.peer_comparison(db, model, group, "M10")
    series = model.series
    now = series[(series.measure_code == "M10") & (series.period == series.period.max())]
    mem = now[now.geo_code.isin(group.members)]
    k, n = mem.numerator.sum(), mem.denominator.sum()
    assert res.peers.value == pytest.approx(100 * k / n)
    lo, hi = wilson_interval(k, n)
    assert (res.peers.low, res.peers.high) == pytest.approx((100 * float(lo), 100 * float(hi)))
    home = now[now.geo_code == NW_LONDON].iloc[0]
    hlo, hhi = (100 * float(x) for x in wilson_interval(home.numerator, home.denominator))
    expected = (
        "better" if hlo > res.peers.value else "worse" if hhi < res.peers.value else "similar"
    )
    assert res.comparison == expected
    profile = service.peer_profile(db, model, group)
    assert len(profile) == len(model.measures)
    assert profile.loc[profile.measure_code == "M10", "peers_value"].iloc[0] == pytest.approx(
        res.peers.value
    )
    assert np.isfinite(profile.peers_value).all()
    with pytest.raises(ValidationFailed):
        service.suggest_nearest(db, "nowhere", "M10")

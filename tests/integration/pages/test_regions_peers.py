"""Peer groups on the Regions page (AppTest): an editor makes a group by hand and from the
nearest neighbours, the Benchmark view draws its aggregate on the bars and the funnel with
CSV rows for it, the Profile shows "against peers", edits make versions, delete asks why,
viewers see the groups read-only, and a hostile name is escaped everywhere."""

from __future__ import annotations

import getpass
import json
import shutil

from nlf_planner.peers import PeerGroup
from nlf_planner.services import peers as peer_service
from nlf_planner.services.actor import SYSTEM
from nlf_planner.services.database import open_store
from nlf_planner.services.regions_view import benchmark_view, build_regions_model
from nlf_planner.ui.sidebar import REGION_KEY
from tests.apptest_utils import run_page, signed_in

LONDON = "E40000003"
NW_LONDON, NC_LONDON, NE_LONDON = "E54000027", "E54000028", "E54000029"
HOSTILE = "**Ours** <b>x</b> [y](z)"


def _again(at):
    """Run again in London: AppTest's later runs skip app.py's sidebar, which would keep
    the region chosen there, so it is set again as the sidebar would."""
    at.session_state[REGION_KEY] = LONDON
    return at.run()


def _copy(seeded_db_path, tmp_path):
    path = tmp_path / "peers.duckdb"
    shutil.copy(seeded_db_path, path)
    return path


def _specs(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _groups(path):
    db = open_store(path)
    try:
        return peer_service.list_groups(db)
    finally:
        db.close()


def _bench(at_path, **extra):
    query = {"view": "Benchmark", "measure": "M10", "region": LONDON, **extra}
    return run_page("regions", at_path, query=query)


def test_an_editor_makes_a_group_by_hand_and_the_charts_show_its_aggregate(
    seeded_db_path, tmp_path
):
    path = _copy(seeded_db_path, tmp_path)
    at = _bench(path)
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="peer_home").select(NW_LONDON)
    _again(at)
    at.text_input(key="peer_name").input(HOSTILE)
    at.multiselect(key="peer_members").select(NC_LONDON).select(NE_LONDON)
    at.button(key="peer_save").click()
    _again(at)
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved the new peer group ‘\\*\\*Ours" in s.value for s in at.success)
    [group] = _groups(path)
    assert (group.name, group.home_geo, group.members) == (
        HOSTILE,
        NW_LONDON,
        (NC_LONDON, NE_LONDON),
    )
    assert group.author == getpass.getuser()  # local mode: the person at this computer

    at.selectbox(key="peers").select(str(group.peer_group_id))
    _again(at)
    assert not at.exception, [e.value for e in at.exception]
    bars, funnel = _specs(at)[:2]
    names = [t.get("name") for t in bars["data"]]
    assert "Home area of the peer group" in names
    assert any(n and n.startswith("Peer in ‘**Ours** &lt;b&gt;") for n in names)
    label = [a["text"] for a in bars["layout"]["annotations"] if "aggregate" in a["text"]]
    assert label and "&lt;b&gt;x&lt;/b&gt;" in label[0] and "<b>x" not in label[0]
    dotted = [s for s in bars["layout"]["shapes"] if s.get("line", {}).get("dash") == "dot"]
    assert len(dotted) == 1
    assert any("aggregate" in a["text"] for a in funnel["layout"]["annotations"])
    # The sentence above the bars, escaped for Markdown.
    note = next(m.value for m in at.markdown if m.value.startswith("**Against peers:**"))
    assert "\\*\\*Ours\\*\\*" in note and "North West London" in note


def test_the_csv_profile_and_versions(seeded_db_path, tmp_path):
    path = _copy(seeded_db_path, tmp_path)
    db = open_store(path)
    g = peer_service.save_group(
        db, SYSTEM, PeerGroup("London ICSs", NW_LONDON, "icb", (NC_LONDON, NE_LONDON))
    )
    db.close()
    at = _bench(path, peers=str(g.peer_group_id))
    assert not at.exception, [e.value for e in at.exception]
    db = open_store(path)
    model = build_regions_model(db, None)
    peer = peer_service.peer_comparison(db, model, g, "M10")
    view = benchmark_view(model, "M10", LONDON, peer=peer)
    db.close()
    data = view.bars.data
    agg = data[data.peer_role == "peers' aggregate"]
    assert len(agg) == 1 and agg.value.iloc[0] == peer.peers.value
    assert set(data[data.peer_role == "peer"].geo_code) == {NC_LONDON, NE_LONDON}
    assert (view.funnel.data.peer_role == "peers' aggregate").sum() == 1

    at = run_page("regions", path, query={"view": "Profile", "profile": NW_LONDON})
    assert not at.exception, [e.value for e in at.exception]
    assert any("against peers" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert list(table.columns[:4]) == ["Code", "Against peers", "Home", "Peers' aggregate"]
    assert len(table) == 17 and set(table["Against peers"]) <= {
        "Better", "Similar", "Worse", "Higher", "Lower", "Not compared"}  # fmt: skip

    # Editing makes version 2; the old stays in the versions.
    at = _bench(path)
    at.selectbox(key="peer_edit").select(str(g.peer_group_id))
    _again(at)
    assert at.text_input(key="peer_name").value == "London ICSs"
    at.text_input(key="peer_name").input("London ICSs (edited)")
    at.button(key="peer_save").click()
    _again(at)
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved version 2" in s.value for s in at.success)
    assert _groups(path)[0].version == 2
    # Delete asks why, then deletes.
    at.selectbox(key="peer_edit").select(str(g.peer_group_id))
    _again(at)
    at.button(key="peer_delete").click()
    _again(at)
    assert any("why" in e.value.lower() for e in at.error)
    assert len(_groups(path)) == 1
    at.selectbox(key="peer_edit").select(str(g.peer_group_id))
    _again(at)
    at.text_input(key="peer_delete_reason").input("Merged")
    at.button(key="peer_delete").click()
    _again(at)
    assert not at.exception
    assert _groups(path) == []


def test_nearest_neighbours_are_suggested_then_confirmed(seeded_db_path, tmp_path):
    path = _copy(seeded_db_path, tmp_path)
    at = _bench(path)
    at.selectbox(key="peer_home").select(NW_LONDON)
    _again(at)
    at.radio(key="peer_method").set_value("nearest")
    _again(at)
    at.selectbox(key="peer_basis").select("M10")
    at.number_input(key="peer_k").set_value(3)
    at.button(key="peer_suggest").click()
    _again(at)
    assert not at.exception, [e.value for e in at.exception]
    suggested = at.multiselect(key="peer_members").value
    assert len(suggested) == 3 and NW_LONDON not in suggested
    assert _groups(path) == []  # nothing saved until the person confirms
    at.text_input(key="peer_name").input("Nearest on M10")
    at.button(key="peer_save").click()
    _again(at)
    [group] = _groups(path)
    assert group.method == "nearest" and group.basis_measure == "M10"
    assert list(group.members) == sorted(suggested)


def test_viewers_see_the_groups_read_only(seeded_db_path, tmp_path):
    path = _copy(seeded_db_path, tmp_path)
    db = open_store(path)
    peer_service.save_group(
        db, SYSTEM, PeerGroup("London ICSs", NW_LONDON, "icb", (NC_LONDON, NE_LONDON))
    )
    db.close()
    at = run_page(
        "regions",
        path,
        query={"view": "Benchmark", "measure": "M10", "region": LONDON},
        user=signed_in("Vic Viewer", "viewer"),
    )
    assert not at.exception, [e.value for e in at.exception]
    assert any("Viewing only: to make or change peer groups" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "peer_save"]
    assert any("London ICSs" in str(d.value) for d in at.dataframe)


def test_a_region_scoped_editor_is_offered_only_their_regions_homes(seeded_db_path, tmp_path):
    path = _copy(seeded_db_path, tmp_path)
    at = run_page(
        "regions",
        path,
        query={"view": "Benchmark", "measure": "M10", "region": LONDON},
        user=signed_in("Lena London", "editor", region=LONDON),
    )
    assert not at.exception, [e.value for e in at.exception]
    homes = at.selectbox(key="peer_home").options
    assert len(homes) == 5 and all("London" in h for h in homes)


def test_a_group_of_regions_is_drawn_on_the_bars_and_named_under_the_funnel(
    seeded_db_path, tmp_path
):
    path = _copy(seeded_db_path, tmp_path)
    db = open_store(path)
    g = peer_service.save_group(
        db, SYSTEM, PeerGroup("South", LONDON, "region", ("E40000005", "E40000006"))
    )
    db.close()
    at = run_page(
        "regions",
        path,
        query={"view": "Benchmark", "measure": "M10", "peers": str(g.peer_group_id)},
    )
    assert not at.exception, [e.value for e in at.exception]
    bars, funnel = _specs(at)[:2]
    assert any(t.get("name") == "Home area of the peer group" for t in bars["data"])
    assert not any("aggregate" in a["text"] for a in funnel["layout"]["annotations"])
    assert "‘South’ is a group of regions, so it is drawn on the bars only" in " ".join(
        c.value for c in at.caption
    )

"""The Regions page in AppTest: each view renders from the URL, drilling opens the chart,
notes and rebases are saved with the person's name and audited (read back through the
services)."""

from __future__ import annotations

import json
from datetime import date

from nlf_planner.services import annotations as annotation_service
from nlf_planner.services.audit import audit_log
from nlf_planner.services.database import open_store
from nlf_planner.ui.regions_notes import PANEL as NOTES_PANEL
from tests.apptest_utils import headings, run_page, signed_in

LONDON = "E40000003"


def _specs(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _captions(at):
    return " ".join(c.value for c in at.caption)


def test_matrix_is_the_default_view(seeded_db_path):
    at = run_page("regions", seeded_db_path)
    assert not at.exception, [e.value for e in at.exception]
    assert "Regions and integrated care systems" in headings(at)
    assert "How the 7 NHS regions compare on the nine priority areas" in headings(at)
    rug = _specs(at)[0]
    assert len(rug["data"][1]["text"]) == 8 * 9
    # Names wrap onto lines that fit the 1024-pixel screen.
    assert rug["layout"]["yaxis"]["ticktext"][:2] == ["England", "East of<br>England"]
    at.toggle(key="rug_table").set_value(True).run()
    assert at.dataframe[0].value.shape == (8, 9)
    assert any("illustrative" in i.value for i in at.info)
    assert "better than England" in _captions(at)
    assert any(b.label == "Download data (CSV)" for b in at.get("download_button"))


def test_ics_matrix_for_the_sidebar_region(seeded_db_path):
    at = run_page("regions", seeded_db_path, query={"region": LONDON})
    assert not at.exception
    assert any("London and its 5 ICSs" in h for h in headings(at))
    assert len(_specs(at)[0]["data"][1]["text"]) == 7 * 9


def test_matrix_by_measure_for_one_area(seeded_db_path):
    at = run_page("regions", seeded_db_path, query={"by_measure": "true", "area": "P6"})
    assert not at.exception
    rug = _specs(at)[0]
    assert [c.split("<br>")[0] for c in rug["layout"]["xaxis"]["ticktext"]] == [
        "<b>M10</b>",
        "<b>M11</b>",
    ]
    assert "%" in rug["data"][1]["text"][2]


def test_opening_a_cell_shows_the_spc_chart_with_icons(seeded_db_path):
    at = run_page("regions", seeded_db_path)
    at.selectbox(key="open_geo").select(LONDON)
    at.selectbox(key="open_col").select("P6")
    at.button(key="open_cell").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="geo").value == LONDON
    assert at.selectbox(key="measure").value == "M10"
    spec = _specs(at)[0]
    letters = [a.get("text") for a in spec["layout"]["annotations"]]
    assert any(t in ("<b>H</b>", "<b>L</b>", "<b>C</b>") for t in letters)
    assert spec["layout"]["title"]["text"].startswith("Staff trained in improvement")
    assert "in London was" in _captions(at)  # the one SPC reading names the geography


def test_measure_view_from_the_url_draws_plan_lines_and_the_summary(seeded_db_path):
    at = run_page(
        "regions", seeded_db_path, query={"view": "Measure", "geo": LONDON, "measure": "M10"}
    )
    assert not at.exception
    names = [d.get("name") for d in _specs(at)[0]["data"]]
    assert "Mean" in names and "Process limits" in names
    assert "Plan trajectory" in names
    labels = [m.label for m in at.metric]
    assert labels[:5] == ["Latest", "Target", "Mean", "Lower limit", "Upper limit"]
    assert any("Variation" in m.value for m in at.markdown)
    assert at.dataframe[0].value.measure_code.tolist() == ["M10", "M11"]


def test_unknown_url_values_fall_back(seeded_db_path):
    at = run_page(
        "regions", seeded_db_path, query={"view": "Measure", "geo": "DROP TABLE", "measure": "M99"}
    )
    assert not at.exception
    assert at.selectbox(key="measure").value == "M01"


def _annotation_audit(path) -> list[str]:
    db = open_store(path)
    try:
        return audit_log(db, entity="annotation").actor.tolist()
    finally:
        db.close()


def _open_notes(at):
    """Open the notes panel as a person does (its contents are drawn only while open)."""
    assert not [w for w in at.text_input if w.label == "What happened"]  # closed: not drawn
    at.session_state[NOTES_PANEL] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_adding_a_note_needs_the_data_manager_role_and_is_audited(fresh_seeded_db_path):
    q = {"view": "Measure", "geo": LONDON, "measure": "M10"}
    editor = signed_in("Eve Editor", "editor")  # an editor alone may not annotate SPC charts
    at = _open_notes(run_page("regions", fresh_seeded_db_path, query=q, user=editor))
    _by_label(at.text_input, "What happened").input("Programme launched")
    _submit(at, "Add note")
    assert any("Viewing only" in i.value and "data manager role" in i.value for i in at.info), (
        [i.value for i in at.info],
        [e.value for e in at.exception],
        dict(at.query_params),
    )
    assert not at.exception
    assert any("data manager role" in e.value for e in at.error)  # the refused save says why
    assert _annotation_audit(fresh_seeded_db_path) == []  # and nothing was written
    at = _open_notes(run_page("regions", fresh_seeded_db_path, query=q, user="Ada"))
    _by_label(at.text_input, "What happened").input("Programme launched")
    _submit(at, "Add note")
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Note added." for s in at.success)
    assert _annotation_audit(fresh_seeded_db_path) == ["Ada"]


def test_an_invalid_rebase_is_refused_with_the_rule_and_writes_nothing(fresh_seeded_db_path):
    q = {"view": "Measure", "geo": LONDON, "measure": "M08"}
    at = _open_notes(run_page("regions", fresh_seeded_db_path, query=q, user="Ada"))
    _submit(at, "Rebase")  # no reason given
    assert not at.exception, [e.value for e in at.exception]
    assert any("reason for the rebase cannot be empty" in e.value for e in at.error)
    db = open_store(fresh_seeded_db_path)
    try:
        assert annotation_service.rebases_for(db, "M08", LONDON).empty
    finally:
        db.close()


def test_a_rebase_with_a_reason_recomputes_the_chart(fresh_seeded_db_path):
    q = {"view": "Measure", "geo": LONDON, "measure": "M08"}
    at = _open_notes(run_page("regions", fresh_seeded_db_path, query=q, user="Ada"))
    _by_label(at.date_input, "From").set_value(date(2021, 4, 1))
    _by_label(at.text_input, "Reason (required)").input("New recruitment standard")
    _submit(at, "Rebase")
    assert not at.exception, [e.value for e in at.exception]
    texts = [a.get("text", "") for a in _specs(at)[0]["layout"]["annotations"]]
    assert any(t.startswith("Rebased Apr 2021") for t in texts)
    assert "recalculated from" in _captions(at)
    db = open_store(fresh_seeded_db_path)
    try:
        rebases = annotation_service.rebases_for(db, "M08", LONDON)
        assert rebases.author.tolist() == ["Ada"]
        assert rebases.reason.tolist() == ["New recruitment standard"]
    finally:
        db.close()
    at.selectbox(key="rebase_remove").select(int(rebases.rebase_id.iloc[0]))
    _by_label(at.text_input, "Reason for removing").input("Entered in error")
    at.button(key="rebase_remove_btn").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Rebase removed." for s in at.success)
    texts = [a.get("text", "") for a in _specs(at)[0]["layout"]["annotations"]]
    assert not any(t.startswith("Rebased") for t in texts)


def test_benchmark_view_with_bars_and_funnel(seeded_db_path):
    at = run_page("regions", seeded_db_path, query={"view": "Benchmark", "measure": "M10"})
    assert not at.exception
    specs = _specs(at)
    assert len(specs) == 2
    assert "against England" in specs[0]["layout"]["title"]["text"]
    assert "42 ICSs" in specs[1]["layout"]["title"]["text"]
    assert "additive random effects" in specs[1]["layout"]["title"]["text"]
    query = {"view": "Benchmark", "measure": "M10", "funnel": "Multiplicative"}
    at = run_page("regions", seeded_db_path, query=query)
    assert not at.exception
    assert at.radio(key="funnel").value == "Multiplicative"
    assert "multiplicative (φ = " in _specs(at)[1]["layout"]["title"]["text"]
    at = run_page("regions", seeded_db_path, query={"view": "Benchmark", "measure": "M13"})
    assert len(_specs(at)) == 1
    assert "not a proportion" in _captions(at)
    assert not [r for r in at.radio if r.key == "funnel"]  # no funnel, no funnel choice


def test_profile_view_for_a_region(seeded_db_path):
    at = run_page("regions", seeded_db_path, query={"view": "Profile", "profile": LONDON})
    assert not at.exception
    spec = _specs(at)[0]
    assert spec["layout"]["title"]["text"].startswith("London profile")
    assert len(at.dataframe[0].value) == 17
    assert "London across 17 measures" in _captions(at)


def _by_label(widgets, label):
    return [w for w in widgets if w.label == label][0]


def _submit(at, label):
    [b for b in at.button if b.label == label][0].click()
    at.run()


def _alts(at):
    return [c.proto.alt for c in at.get("plotly_chart")]


def test_every_chart_is_named_by_what_it_shows_and_its_reading(seeded_db_path):
    """Issue 18: each chart's accessible name says what kind of chart, what it shows and
    its plain-English reading (the caption under it), on every view."""
    cases = {
        "Matrix": ({}, ["Matrix of coloured tiles: The 7 NHS regions"]),
        "Measure": ({"geo": LONDON, "measure": "M10"}, ["SPC chart: Staff trained"]),
        "Benchmark": ({"measure": "M10"}, ["Bar chart with intervals: ", "Funnel plot: "]),
        "Profile": ({"profile": LONDON}, ["Spine chart: London profile"]),
    }
    for view, (query, starts) in cases.items():
        at = run_page("regions", seeded_db_path, query={"view": view, **query})
        assert not at.exception, (view, [e.value for e in at.exception])
        alts = _alts(at)
        assert len(alts) == len(starts), (view, alts)
        captions = _captions(at)
        for alt, start in zip(alts, starts, strict=True):
            assert alt.startswith(start), (view, alt)
            assert "<" not in alt and "&lt;" not in alt  # plain text, no plotly markup
            reading = alt.split(". ", 1)[1]
            assert reading[:40] in captions.replace("\\", ""), (view, reading[:40])  # as shown


def test_the_matrix_is_operable_by_keyboard_without_opening_anything(seeded_db_path):
    """Issue 18: the cell picker is on the page with the rug, not inside an expander."""
    at = run_page("regions", seeded_db_path)
    assert not at.expander  # nothing to open first
    labels = [s.label for s in at.selectbox]
    assert labels[-2:] == ["Geography", "Column"]  # after the rug's own filter, in order
    assert at.button(key="open_cell").label == "Open chart"


def test_a_note_with_markup_reaches_the_chart_as_text(fresh_seeded_db_path):
    """Issue 15: a note or rebase reason typed with <a href> is shown, never a link."""
    q = {"view": "Measure", "geo": LONDON, "measure": "M08"}
    hostile = "<a href='http://127.0.0.1:9/x'>launch</a>"
    at = _open_notes(run_page("regions", fresh_seeded_db_path, query=q, user="Ada"))
    _by_label(at.text_input, "What happened").input(hostile)
    _submit(at, "Add note")
    _by_label(at.date_input, "From").set_value(date(2021, 4, 1))
    _by_label(at.text_input, "Reason (required)").input(hostile)
    _submit(at, "Rebase")
    assert not at.exception, [e.value for e in at.exception]
    notes = [
        a
        for a in _specs(at)[0]["layout"]["annotations"]
        if a.get("text", "").startswith(("✎", "Rebased"))
    ]
    assert len(notes) == 2
    for a in notes:
        assert "<a" not in a["text"] + a["hovertext"]
        assert "&lt;a href=" in a["hovertext"]


def test_the_measure_view_shows_the_making_data_count_icons_beside_their_words(
    seeded_db_path,
):
    """Issue 18: the variation and assurance icons as boards know them, with their words
    as the image's text alternative and the words still written beside them."""
    q = {"view": "Measure", "geo": LONDON, "measure": "M10"}
    at = run_page("regions", seeded_db_path, query=q)
    assert not at.exception, [e.value for e in at.exception]
    icons = [h.proto.body for h in at.get("html") if "nlf-mdc-icon" in h.proto.body]
    assert len(icons) == 2, icons  # M10 in London has both a variation and an assurance
    assert all("data:image/svg+xml;base64," in i and "alt=" in i for i in icons)
    words = " ".join(m.value for m in at.markdown)
    for icon in icons:
        alt = icon.split("alt=", 1)[1][1:].split(icon.split("alt=", 1)[1][0], 1)[0]
        assert alt and alt.split(" (")[0].split(":")[0] in words, (alt, words[:300])

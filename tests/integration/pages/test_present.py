"""The Present page in AppTest (through app.py): slides, controls, URL, full-screen mode."""

from __future__ import annotations

import pytest

from nlf_planner.deck import DeckChoices
from nlf_planner.services.database import open_store
from nlf_planner.services.deck import build_deck, deck_options
from nlf_planner.ui.text import escape_markdown
from tests.apptest_utils import run_page

LONDON = "E40000003"


@pytest.fixture(scope="module")
def deck_titles(seeded_db_path):
    db = open_store(seeded_db_path)
    try:
        deck = build_deck(db, DeckChoices(region=LONDON))
    finally:
        db.close()
    return [s.title for s in deck.slides]


def _notes_of(db_path, number: int) -> str:
    """The slide's speaker notes as the page shows them (escaped Markdown: notes hold
    people's words)."""
    db = open_store(db_path)
    try:
        return escape_markdown(build_deck(db, DeckChoices()).slides[number - 1].notes)
    finally:
        db.close()


def _slide_heading(at) -> str:
    titles = [h.value for h in at.header] + [h.value for h in at.subheader]
    titles += [m.value for m in at.markdown] + [str(h.proto.body) for h in at.get("html")]
    return " | ".join(titles)


def test_opens_on_the_slide_and_region_in_the_url(seeded_db_path, deck_titles) -> None:
    at = run_page("present", seeded_db_path, query={"slide": "2", "region": LONDON})
    assert not at.exception, [e.value for e in at.exception]
    assert "Board deck" in [t.value for t in at.title]
    assert deck_titles[1] in _slide_heading(at)
    assert at.query_params["slide"] == ["2"] or at.query_params["slide"] == "2"


def test_next_back_and_jump_move_through_the_deck(seeded_db_path, deck_titles) -> None:
    at = run_page("present", seeded_db_path, query={"region": LONDON})
    assert deck_titles[0] in _slide_heading(at)
    at.button(key="present_next").click().run()
    assert not at.exception
    assert deck_titles[1] in _slide_heading(at)
    assert str(at.query_params["slide"]).strip("[]'") == "2"
    at.button(key="present_back").click().run()
    assert deck_titles[0] in _slide_heading(at)
    last = len(deck_titles)
    at.selectbox(key="present_jump").set_value(last).run()
    assert not at.exception
    assert deck_titles[-1] in _slide_heading(at)
    assert at.button(key="present_next").disabled


def test_out_of_range_and_junk_slide_numbers_fall_back(seeded_db_path, deck_titles) -> None:
    at = run_page("present", seeded_db_path, query={"slide": "999", "region": LONDON})
    assert not at.exception
    assert deck_titles[-1] in _slide_heading(at)
    at = run_page("present", seeded_db_path, query={"slide": "'; DROP TABLE x"})
    assert not at.exception
    assert at.header or at.markdown


# AppTest does not show the sidebar after switch_page, so the browser test checks that the
# sidebar disappears; here: the mode, the page chrome and the controls.
def test_full_screen_mode_and_back(seeded_db_path) -> None:
    at = run_page("present", seeded_db_path, query={"slide": "3"})
    at.button(key="present_full").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["presenting"] is True
    assert "Board deck" not in [t.value for t in at.title]
    assert [b.label for b in at.button if b.key == "present_exit"] == ["Exit full screen"]
    at.button(key="present_exit").click().run()
    assert not at.exception
    assert at.session_state["presenting"] is False
    assert "Board deck" in [t.value for t in at.title]


def test_full_screen_link_opens_in_presenter_mode(seeded_db_path) -> None:
    at = run_page("present", seeded_db_path, query={"slide": "2", "full": "1"})
    assert not at.exception
    assert at.session_state["presenting"] is True


def test_speaker_notes_toggle_shows_the_notes(seeded_db_path) -> None:
    at = run_page("present", seeded_db_path, query={"slide": "2"})
    assert not any("Exceptions follow" in i.value for i in at.info)
    at.toggle(key="present_notes").set_value(True).run()
    assert not at.exception
    assert any("Exception slides follow" in i.value for i in at.info)
    # The choice carries into full screen and from slide to slide; N hides the notes again.
    at.button(key="present_full").click().run()
    at.button(key="present_next").click().run()
    assert any(i.value == _notes_of(seeded_db_path, 3) for i in at.info)
    at.button(key="present_notes_button").click().run()
    assert not any(i.value == _notes_of(seeded_db_path, 3) for i in at.info)
    at.button(key="present_exit").click().run()
    assert at.toggle(key="present_notes").value is False


def test_deck_choices_change_the_region_and_url(seeded_db_path) -> None:
    at = run_page("present", seeded_db_path, query={"slide": "2"})
    assert "Summary matrix: England" in _slide_heading(at)
    at.selectbox(key="present_region").set_value(LONDON).run()
    assert not at.exception
    assert "Summary matrix: London" in _slide_heading(at)
    assert "region" in at.query_params
    assert at.session_state["region"] == LONDON  # the sidebar follows


def test_pack_buttons_and_section_list(seeded_db_path) -> None:
    """The HTML downloads at once; the image packs are made on request (with a progress
    bar), so the page never draws charts as images unasked."""
    at = run_page("present", seeded_db_path)
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download HTML"]
    makes = {b.key: b.label for b in at.button if b.key.startswith("present_make_")}
    assert makes == {"present_make_pptx": "Make PowerPoint", "present_make_pdf": "Make PDF"}
    captions = " ".join(c.value for c in at.caption)
    assert "Slides in this deck" in captions
    assert "Summary matrix" in captions


def test_without_chromium_image_packs_are_disabled_with_the_fix(
    seeded_db_path, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    at = run_page("present", seeded_db_path)
    assert not at.exception
    assert any("apt-get install chromium" in w.value for w in at.warning)
    makes = {b.label: b.disabled for b in at.button if b.key.startswith("present_make_")}
    assert makes == {"Make PowerPoint": True, "Make PDF": True}
    html = {b.proto.label: b.proto.disabled for b in at.get("download_button")}
    assert html == {"Download HTML": False}


def test_choosing_an_older_plan_version_sticks_across_runs(seeded_db_path) -> None:
    db = open_store(seeded_db_path)
    try:
        version = str(min(p.version_id for p in deck_options(db).plan_versions))
    finally:
        db.close()
    at = run_page("present", seeded_db_path, query={"slide": "1"})
    at.selectbox(key="present_plan").set_value(version).run()
    assert not at.exception
    assert str(at.query_params["plan"]).strip("[]'") == version
    at.button(key="present_next").click().run()  # another run: the sidebar must not revert it
    assert str(at.query_params["plan"]).strip("[]'") == version
    assert f"plan version {version}," in " ".join(c.value for c in at.caption)


def test_an_empty_database_gives_a_deck_that_says_what_is_missing(db) -> None:
    at = run_page("present", db.path)
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.caption)
    assert "Not in this deck: Plan status and roadmap" in captions
    at.selectbox(key="present_jump").set_value(3).run()
    assert not at.exception
    assert "Exceptions: none this period" in _slide_heading(at)


def test_scenarios_in_the_url_choose_the_deck_scenarios(seeded_db_path) -> None:
    db = open_store(seeded_db_path)
    try:
        scenarios = deck_options(db).scenarios
    finally:
        db.close()
    one = scenarios[-1]
    at = run_page("present", seeded_db_path, query={"scenarios": f"{one.scenario_id},junk"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="present_scenarios").value == [one.scenario_id]
    stamp = next(c.value for c in at.caption if c.value.startswith("Packs carry"))
    assert escape_markdown(f"scenarios: {one.name} (v{one.version})") in stamp
    assert all(s.name not in stamp for s in scenarios if s.name != one.name)


HOSTILE = 'Mallory ![t](http://127.0.0.1:9/track.png) <a href="http://127.0.0.1:9/x">x</a> *b*'


def test_slide_tables_show_peoples_text_as_typed() -> None:
    """Issue 15: a cell, caption or icon cell holding people's text is escaped HTML, never a
    link or an image fetched from elsewhere."""
    import pandas as pd

    from nlf_planner.deck import SlideTable
    from nlf_planner.ui.present_slides import table_html

    table = SlideTable(
        pd.DataFrame({"Name": [HOSTILE], "Variation": ["H – Concern (high)"]}),
        caption=HOSTILE,
        icons=pd.DataFrame({"Name": [""], "Variation": ["variation:concern_high"]}),
    )
    html = table_html(table)
    assert "<a href" not in html
    assert "&lt;a href=&quot;http://127.0.0.1:9/x&quot;&gt;" in html
    assert "src='http" not in html and 'src="http' not in html
    assert 'alt="Special-cause concern (high)"' in html  # the icon, named by its words


def test_slide_text_reaches_markdown_escaped(seeded_db_path) -> None:
    """Notes and the stamp go through escape_markdown on the page: exactly the escaped text."""
    at = run_page("present", seeded_db_path, query={"slide": "2"})
    at.toggle(key="present_notes").set_value(True).run()
    assert _notes_of(seeded_db_path, 2) in [i.value for i in at.info]
    stamp = next(c.value for c in at.caption if c.value.startswith("Packs carry"))
    assert "\\(" in stamp  # "(illustrative)" arrives escaped: the stamp holds people's names

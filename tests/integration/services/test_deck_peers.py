"""The board deck's "against peers" slide (both backends): only when peer groups are saved
for the deck's geography, each home against its peers' aggregate on the headline measures,
the same numbers as the Regions page's comparison, and in the HTML pack escaped."""

from __future__ import annotations

from datetime import date

from nlf_planner.deck import DeckChoices
from nlf_planner.deck.region_comparison import headline_measures
from nlf_planner.export import export_deck
from nlf_planner.peers import PeerGroup
from nlf_planner.services import peers as peer_service
from nlf_planner.services.actor import SYSTEM
from nlf_planner.services.deck import build_deck, deck_inputs
from nlf_planner.units import format_value

LONDON, MIDLANDS = "E40000003", "E40000011"
NW_LONDON, NC_LONDON, NE_LONDON = "E54000027", "E54000028", "E54000029"
TODAY = date(2026, 11, 15)
NAME = "<script>x</script> London & co"


def _peer_slides(deck):
    return [s for s in deck.slides if s.key == "regions-peers"]


def test_the_peer_slide_follows_the_saved_groups(fresh_seeded_db):
    db = fresh_seeded_db
    assert _peer_slides(build_deck(db, DeckChoices(region=LONDON, today=TODAY))) == []
    group = peer_service.save_group(
        db, SYSTEM, PeerGroup(NAME, NW_LONDON, "icb", (NC_LONDON, NE_LONDON))
    )
    # A London deck holds it (its home is a London ICS); a Midlands deck does not.
    assert _peer_slides(build_deck(db, DeckChoices(region=MIDLANDS, today=TODAY))) == []
    choices = DeckChoices(region=LONDON, today=TODAY)
    inputs = deck_inputs(db, choices)
    assert [g.peer_group_id for g in inputs.peer_groups] == [group.peer_group_id]
    deck = build_deck(db, choices)
    [slide] = _peer_slides(deck)
    table = slide.tables[0].data
    assert len(table) == 1 and table.iloc[0, 0].startswith(NAME)
    headline = headline_measures(inputs)
    assert list(table.columns[1:]) == [f"{m.area_code} {m.code}" for m in headline]
    # Each cell is the comparison the Regions page makes for the same group and measure.
    for m in headline:
        res = peer_service.peer_comparison(db, inputs.model, group, m.code)
        cell = table[f"{m.area_code} {m.code}"].iloc[0]
        if not res.has_peers:
            assert cell == "No data"
            continue
        assert cell.startswith(f"{format_value(res.home_value, m.unit)} vs ")
        assert format_value(res.peers.value, m.unit) in cell
        assert cell.endswith(res.comparison.capitalize())
    # Board order: after the region matrix, before the benchmark chart.
    keys = [s.key for s in deck.slides]
    assert keys.index("regions-matrix") < keys.index("regions-peers")
    html = export_deck(deck, "html").decode()
    assert "&lt;script&gt;x&lt;/script&gt; London &amp; co" in html
    assert "<script>x</script>" not in html
    # England's deck holds every group.
    england = build_deck(db, DeckChoices(today=TODAY))
    assert len(_peer_slides(england)) == 1

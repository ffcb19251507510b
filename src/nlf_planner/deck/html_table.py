"""A slide table as escaped HTML, shared by the Present page and the HTML pack.

One home for how a table reads in a browser (a header row of column headings, the
pale fill behind each cell's words, the Making Data Count icon before them, the caption),
so the slide on screen and the handed-out pack cannot drift apart. Only the icon's drawing
differs: the page shows it as an ``<img>`` (``st.html`` drops inline SVG), the pack inline.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from nlf_planner.deck.records import SlideTable


def slide_table_html(
    table: SlideTable,
    icon: Callable[[str], str],
    *,
    table_class: str = "",
    icon_class: str = "mdc",
) -> str:
    """``table`` as an HTML table; ``icon(ref)`` draws a cell's icon reference ("" = none).
    Every word is escaped; fills are used only when they are colours (``#…``)."""
    data = table.data.astype(str)
    fills = table.fills
    head = "".join(f"<th scope='col'>{escape(str(c))}</th>" for c in data.columns)
    rows = []
    for i in range(len(data)):
        cells = []
        for col in data.columns:
            fill = ""
            if fills is not None and col in fills.columns and i < len(fills):
                fill = str(fills[col].iloc[i] or "")
            style = f" style='background:{escape(fill)}'" if fill.startswith("#") else ""
            text = escape(data[col].iloc[i])
            drawn = icon(table.icon(i, col))
            if drawn:
                text = f"<span class='{icon_class}'>{drawn}<span>{text}</span></span>"
            cells.append(f"<td{style}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    klass = f" class='{table_class}'" if table_class else ""
    return (
        f"<table{klass}>{caption}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )

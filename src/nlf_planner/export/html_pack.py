"""The offline HTML pack: one self-contained file (plotly.js inline, no network) with
interactive charts, arrow-key navigation and speaker notes on "N"."""

from __future__ import annotations

import html

import plotly.io as pio

from nlf_planner.charts.mdc_icons import assurance_svg, variation_svg
from nlf_planner.deck import Deck, Slide, SlideTable
from nlf_planner.deck.html_table import slide_table_html
from nlf_planner.deck.icons import parse_icon_ref

_HTML_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;font-family:Arial,Helvetica,sans-serif;color:#231F20;background:#fff}
.slide{display:none;position:absolute;inset:0 0 3rem 0;padding:0 3vw 1vh;overflow:auto}
.slide.active{display:block}
.slide header{background:#005EB8;color:#fff;margin:0 -3vw 1.2vh;padding:1.6vh 3vw}
.slide h1{font-size:clamp(1.4rem,2.6vw,2.6rem);margin:0}
.slide .subtitle{font-weight:bold;color:#fff;font-size:clamp(1rem,1.5vw,1.5rem);margin:.4em 0 0}
.slide.title{background:#005EB8;color:#fff}
.slide.title header{margin-top:18vh;padding-top:0}
.slide.title h1{font-size:clamp(2rem,4vw,3.6rem)}
.slide.title .subtitle{color:#fff}
.slide ul{font-size:clamp(1rem,1.45vw,1.5rem);line-height:1.45}
.slide .body{display:flex;gap:2vw;align-items:flex-start}
.slide .body .chart{flex:2 1 0;min-width:0}
.slide .body .text{flex:1 1 0}
.chart .plot{width:100%;height:62vh}
table{border-collapse:collapse;font-size:clamp(.75rem,1vw,1.05rem);width:100%;margin:.5em 0}
th{background:#003087;color:#fff;text-align:left;padding:.3em .4em}
td{border:1px solid #E8EDEE;padding:.25em .4em}
th{word-break:normal;overflow-wrap:normal}
.mdc{display:flex;align-items:center;gap:.4em}.mdc svg{flex:none}
caption{caption-side:bottom;text-align:left;color:#425563;padding:.3em 0}
.notes{display:none;border-top:2px solid #005EB8;margin-top:1em;padding:.6em;background:#F0F4F5;
  font-size:1.05rem}
body.show-notes .notes{display:block}
nav{position:fixed;left:0;right:0;bottom:0;height:3rem;display:flex;align-items:center;gap:1rem;
  padding:0 1rem;background:#E8EDEE;font-size:.95rem}
nav button{font-size:1.1rem;padding:.2rem .9rem;border:2px solid #005EB8;background:#fff;
  color:#005EB8;border-radius:4px;cursor:pointer}
nav button:focus{outline:3px solid #FFB81C}
nav .stamp{flex:1;color:#425563;font-size:.8rem}
@media print{nav{display:none}.slide{display:block!important;position:static;
  page-break-after:always;height:auto}}
"""

_HTML_JS = """
(function(){
  var slides=[].slice.call(document.querySelectorAll('.slide'));
  var counter=document.getElementById('counter');
  var current=0;
  function show(i){
    if(i<0||i>=slides.length)return;
    slides[current].classList.remove('active');
    current=i;slides[i].classList.add('active');
    counter.textContent=(i+1)+' / '+slides.length;
    if(location.hash!=='#'+(i+1))history.replaceState(null,'','#'+(i+1));
    slides[i].querySelectorAll('.js-plotly-plot').forEach(function(p){
      if(window.Plotly){Plotly.Plots.resize(p);}
    });
  }
  window.deckShow=show;
  window.deckCurrent=function(){return current;};
  document.getElementById('prev').onclick=function(){show(current-1);};
  document.getElementById('next').onclick=function(){show(current+1);};
  document.getElementById('notes').onclick=function(){document.body.classList.toggle('show-notes');};
  document.addEventListener('keydown',function(e){
    var k=e.key;
    if(k==='ArrowRight'||k==='PageDown'||k===' '){show(current+1);e.preventDefault();}
    else if(k==='ArrowLeft'||k==='PageUp'){show(current-1);e.preventDefault();}
    else if(k==='Home'){show(0);}
    else if(k==='End'){show(slides.length-1);}
    else if(k==='n'||k==='N'){document.body.classList.toggle('show-notes');}
  });
  var start=parseInt((location.hash||'#1').slice(1),10);
  slides[0].classList.add('active');
  show(isNaN(start)?0:Math.min(Math.max(start-1,0),slides.length-1));
})();
"""


def _icon(ref: str) -> str:
    """The cell's Making Data Count icon as inline SVG (named by its words), or ""."""
    parsed = parse_icon_ref(ref)
    if parsed is None:
        return ""
    kind, value = parsed
    return (variation_svg if kind == "variation" else assurance_svg)(value, size=26)


def _html_table(table: SlideTable) -> str:
    return slide_table_html(table, _icon)


def _html_slide(deck: Deck, i: int, slide: Slide) -> str:
    parts = [
        f"<section class='slide {slide.kind}' id='slide-{i + 1}' data-kind='{slide.kind}' "
        f"data-key='{html.escape(slide.key)}' aria-label='Slide {i + 1} of {len(deck.slides)}'>",
        f"<header><h1>{html.escape(slide.title)}</h1>",
    ]
    if slide.subtitle:
        parts.append(f"<p class='subtitle'>{html.escape(slide.subtitle)}</p>")
    parts.append("</header>")
    for t in slide.tables:
        parts.append(_html_table(t))
    bullets = list(slide.bullets)
    if slide.kind == "closing":
        bullets += deck.stamp.lines()[:-1]
    text = "<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in bullets) + "</ul>"
    if slide.figures:
        charts = "".join(
            pio.to_html(
                fig,
                full_html=False,
                include_plotlyjs=False,
                config={"displaylogo": False, "responsive": True, "displayModeBar": False},
                default_width="100%",
                default_height="62vh",
                div_id=f"chart-{i + 1}-{k}",
            )
            for k, fig in enumerate(slide.figures)
        )
        side = text if slide.bullets else f"<p>{html.escape(slide.narrative)}</p>"
        parts.append(f"<div class='body'><div class='chart'>{charts}</div>")
        parts.append(f"<div class='text'>{side}</div></div>")
    elif bullets:
        parts.append(text)
    if slide.notes:
        parts.append(f"<aside class='notes'><strong>Notes.</strong> {html.escape(slide.notes)}")
        parts.append("</aside>")
    parts.append("</section>")
    return "".join(parts)


def to_html(deck: Deck) -> bytes:
    """One self-contained HTML file: plotly.js inline, keyboard navigation, no network."""
    from plotly.offline import get_plotlyjs

    stamp = deck.stamp
    meta = "".join(
        f"<meta name='{n}' content='{html.escape(v)}'>"
        for n, v in (
            ("nlf-data-as-of", stamp.data_as_of.isoformat() if stamp.data_as_of else ""),
            ("nlf-plan-version", stamp.plan_version),
            ("nlf-scenarios", "; ".join(stamp.scenarios)),
            ("nlf-app-version", stamp.app_version),
            ("nlf-illustrative", "yes" if stamp.illustrative else "no"),
        )
    )
    slides = "".join(_html_slide(deck, i, s) for i, s in enumerate(deck.slides))
    doc = (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(deck.title)}</title>{meta}<style>{_HTML_CSS}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<main>{slides}</main>"
        "<nav aria-label='Slides'><button id='prev' aria-label='Previous slide'>&#8592; Back"
        "</button><span id='counter' aria-live='polite'></span><button id='next' "
        "aria-label='Next slide'>Next &#8594;</button><button id='notes'>Notes (N)</button>"
        f"<span class='stamp'>{html.escape(stamp.footer())}</span></nav>"
        f"<script>{_HTML_JS}</script></body></html>"
    )
    return doc.encode("utf-8")

import xml.etree.ElementTree as ET

from nlf_planner.charts.sparkline import sparkline_svg

NS = "{http://www.w3.org/2000/svg}"


def test_sparkline_is_valid_svg_with_a_text_alternative() -> None:
    svg = sparkline_svg([1, 3, 2, 5], title="Trend <of> M01", colour="#ED8B00")
    root = ET.fromstring(svg)
    assert root.find(f"{NS}title").text == "Trend <of> M01"
    points = root.find(f"{NS}polyline").get("points").split()
    assert len(points) == 4
    ys = [float(p.split(",")[1]) for p in points]
    assert ys.index(min(ys)) == 3  # the highest value is drawn nearest the top
    assert root.find(f"{NS}circle").get("fill") == "#ED8B00"


def test_fewer_than_two_points_draw_no_line() -> None:
    root = ET.fromstring(sparkline_svg([float("nan"), 2.0], title="t"))
    assert root.find(f"{NS}polyline") is None


def test_a_flat_series_stays_inside_the_box() -> None:
    root = ET.fromstring(sparkline_svg([4, 4, 4], title="t", height=40))
    ys = {float(p.split(",")[1]) for p in root.find(f"{NS}polyline").get("points").split()}
    assert all(0 <= y <= 40 for y in ys)

"""Hostile files built by the tests themselves (never downloaded): each one reproduces a way
an upload or a backup has stalled or broken the server, small enough to build in a moment."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl


def xlsx(rows: list[list[object]], title: str = "data") -> bytes:
    """A normal one-sheet workbook (openpyxl's normal mode writes a true dimension)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, part: str, change) -> bytes:
    """The same zip with one part's text changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                body = change(body.decode("utf-8")).encode("utf-8")
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def declared_dimension_xlsx(last_row: int, ref: str | None = None) -> bytes:
    """A few-KB workbook whose sheet declares ``A1:XFD<last_row>`` (or ``ref``; None drops
    the dimension) with a heading, one data row and one cell in the last row: openpyxl pads
    every row to the declared width and fills every missing row."""
    data = xlsx(
        [["measure_code", "geo_code", "period", "value"], ["M08", "E92000001", "2024-04", 5]]
    )
    dimension = f'<dimension ref="{ref or f"A1:XFD{last_row}"}"/>'

    def change(xml: str) -> str:
        xml = re.sub(r"<dimension ref=\"[^\"]*\"/>", dimension if ref != "" else "", xml)
        far = f'<row r="{last_row}"><c r="XFD{last_row}" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    return _rewrite(data, "xl/worksheets/sheet1.xml", change)


def zip_bomb_xlsx(inflated_mb: int = 8) -> bytes:
    """A workbook-looking zip whose sheet part really inflates to ``inflated_mb`` MB of
    zeros from about 1 KB per MB (a ratio near 1,000 to 1)."""
    data = xlsx([["measure_code"], ["M08"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                part = zipfile.ZipInfo(info.filename)
                part.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(part, "w") as fh:
                    for _ in range(inflated_mb):
                        fh.write(b"\0" * (1 << 20))
            else:
                dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def declared_size_xlsx(size: int = 1 << 30, *, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A small workbook whose sheet part declares ``size`` bytes unpacked (1 GiB: what a
    1 MB upload inflates to), so only checking the declared sizes first refuses it cheaply;
    reading it would fail its size check only after inflating."""
    return _lie_about_sizes(xlsx([["measure_code"], ["M08"]]), part, size)


def lying_bomb_xlsx(inflated_mb: int = 8) -> bytes:
    """A real bomb whose headers declare its sheet small (4 KB): zipfile stops inflating at
    the declared size, so it reads as damaged rather than filling memory."""
    return _lie_about_sizes(zip_bomb_xlsx(inflated_mb), "xl/worksheets/sheet1.xml", 4096)


def _lie_about_sizes(raw: bytes, part: str, size: int) -> bytes:
    """Patch the central directory so ``part`` declares ``size`` bytes unpacked."""
    import struct

    buf = bytearray(raw)
    name = part.encode()
    at = buf.rfind(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", buf, at + 24, size)
            return bytes(buf)
        at = buf.rfind(b"PK\x01\x02", 0, at)
    return bytes(buf)


def deflate_bomb_zip(members: dict[str, int]) -> bytes:
    """A zip of named parts, each ``MB`` megabytes of zeros (high compression ratio)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, mb in members.items():
            part = zipfile.ZipInfo(name)
            part.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(part, "w", force_zip64=True) as fh:
                for _ in range(mb):
                    fh.write(b"\0" * (1 << 20))
    return out.getvalue()

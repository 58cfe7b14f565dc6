"""Call records as CSV (UTF-8 with BOM for Excel, no formula injection) and as PDF (reportlab; Chinese in STSong-Light, Latin in Helvetica: core/pdf.py)."""

from __future__ import annotations

import csv
import io

from core.api import format_fen
from plugins.bills.calls import duration

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A CSV cell a spreadsheet never runs as a formula (called numbers come from the network, names from people)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_text(rows: list[dict], header: list[str], type_label) -> str:
    """``rows`` as :func:`plugins.bills.calls.shown` gives them; ``type_label(code)`` is the translated call type."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(h) for h in header])
    for r in rows:
        writer.writerow(
            [
                cell(r["started_local"]),
                cell(r["called"]),
                cell(type_label(r["call_type"])),
                r["duration_s"],
                format_fen(r["charge_fen"]),
            ]
        )
    return "\ufeff" + out.getvalue()


def pdf_bytes(rows: list[dict], *, title: str, lines: list[str], header: list[str], type_label, total: str) -> bytes:
    """A4 PDF: title, the filters and totals as lines, then the records as a table repeated-header across pages."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.api.web import pdf

    pdf.register()
    styles = getSampleStyleSheet()
    heading = styles["Title"].clone("bills-title", fontName=pdf.LATIN_BOLD)
    body = styles["Normal"].clone("bills-body", fontName=pdf.LATIN, fontSize=9, leading=12)
    story = (
        [Paragraph(pdf.markup(title, pdf.LATIN_BOLD), heading)]
        + [Paragraph(pdf.markup(line), body) for line in lines]
        + [Spacer(1, 4 * mm)]
    )
    table = (
        [header]
        + [
            [
                r["started_local"],
                r["called"],
                type_label(r["call_type"]),
                duration(r["duration_s"]),
                format_fen(r["charge_fen"]),
            ]
            for r in rows
        ]
        + [["", "", "", "", total]]
    )
    # Helvetica for the table; STSong-Light for cells in Chinese only (the header, call types); mixed cells as Paragraphs, run by run
    cell_style = body.clone("bills-cell", fontSize=8, leading=10)
    right = cell_style.clone("bills-cell-right", alignment=2)
    cjk_cells = []
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            text = str(value)
            if pdf.font_for(text) != pdf.CJK:
                continue
            if any(font == pdf.LATIN and run.strip() for font, run in pdf.runs(text)):
                row[c] = Paragraph(pdf.markup(text), right if c >= 3 else cell_style)
            else:
                cjk_cells.append(("FONTNAME", (c, r), (c, r), pdf.CJK))
    grid = Table(table, repeatRows=1, colWidths=[42 * mm, 40 * mm, 30 * mm, 25 * mm, 25 * mm])
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.LATIN),
                *cjk_cells,
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
            ]
        )
    )
    story.append(grid)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    doc.build(story)
    return buffer.getvalue()

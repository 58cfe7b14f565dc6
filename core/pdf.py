"""Mixed Chinese and Latin text in reportlab PDFs, without a font file and without broken letter spacing.

Why: reportlab's built-in CID font STSong-Light is not embedded; its width
table (``/W``) gives its own proportional widths for Latin letters, while the
reader draws them with whatever font it substitutes. Latin set in it therefore
comes out with gaps and overlaps ("C all records"). Here every run of text a
standard PDF font can show (Windows-1252: ASCII, ¥, accented letters) is set in
Helvetica, whose metrics every reader has, and only the rest in STSong-Light.
Used by the invoice and the call-records export.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"


def register() -> None:
    """Register the CID font once per process (reportlab keeps a global registry of fonts; registering is idempotent here)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _latin(ch: str) -> bool:
    try:
        ch.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def runs(text: str, latin: str = LATIN) -> list[tuple[str, str]]:
    """``text`` as [(font name, run)], consecutive characters of one script together."""
    out: list[tuple[str, str]] = []
    for ch in text:
        font = latin if _latin(ch) else CJK
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


def font_for(text: str, latin: str = LATIN) -> str:
    """One font for a whole string (a table cell): Helvetica when it is all Latin, else STSong-Light."""
    return latin if all(_latin(ch) for ch in text) else CJK


def width(text: str, size: float, latin: str = LATIN) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(run, font, size) for font, run in runs(text, latin))


def draw(canvas, x: float, y: float, text: str, size: float, *, align: str = "left", latin: str = LATIN) -> None:
    """Draw ``text`` at (x, y) on a reportlab canvas, run by run; ``align`` left, right or centre about x."""
    if align == "right":
        x -= width(text, size, latin)
    elif align == "centre":
        x -= width(text, size, latin) / 2
    obj = canvas.beginText(x, y)
    for font, run in runs(text, latin):
        obj.setFont(font, size)
        obj.textOut(run)
    canvas.drawText(obj)


def markup(text: str, latin: str = LATIN) -> str:
    """``text`` escaped for a platypus Paragraph, each run in its font (``<font name=…>``)."""
    return "".join(f'<font name="{font}">{escape(run)}</font>' for font, run in runs(text, latin))

"""The call-records PDF: Latin set in Helvetica, Chinese in STSong-Light ("C all records" came from Latin in the CID font: core/pdf.py)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from plugins.bills.exports import pdf_bytes

ROWS = [
    {
        "started_local": "2024-05-01 10:00:00",
        "called": "139****0000",
        "call_type": "local",
        "duration_s": 61,
        "charge_fen": 20,
    }
]


def runs_of(body: bytes) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    PdfReader(io.BytesIO(body)).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: (
            seen.append((str(font.get("/BaseFont", "")) if font else "", text.strip())) if text.strip() else None
        )
    )
    return seen


def test_an_english_export_reads_back_in_helvetica():
    body = pdf_bytes(
        ROWS,
        title="Call records of 13911110001, 2024-05",
        lines=["Haibin Communications", "1 records"],
        header=["Started", "Called number", "Type", "Duration", "Charge (¥)"],
        type_label=lambda code: "Local",
        total="Total: ¥0.20",
    )
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert "Call records of 13911110001, 2024-05" in text and "Total: ¥0.20" in text
    runs = runs_of(body)
    assert runs and all(font.endswith("Helvetica") or font.endswith("Helvetica-Bold") for font, _ in runs), runs


def test_a_chinese_export_sets_only_the_chinese_in_the_cid_font():
    body = pdf_bytes(
        ROWS,
        title="13911110001 的通话记录（2024-05）",
        lines=["江南电信"],
        header=["开始时间", "对方号码", "类型", "时长", "费用"],
        type_label=lambda code: "市话",
        total="合计：¥0.20",
    )
    runs = runs_of(body)
    assert ("/STSong-Light", "市话") in runs and ("/Helvetica", "139****0000") in runs
    assert ("/Helvetica", "¥0.20") in runs and ("/STSong-Light", "合计：") in runs  # a mixed cell, run by run
    for font, run in runs:
        assert font.endswith("STSong-Light") == any(not ch.isascii() and ch != "¥" for ch in run), (font, run)

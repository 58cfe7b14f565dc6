"""The sync page shows call-record positions as staff read them, not the connector's JSON."""

from plugins.sqlbss import markers


def test_monthly_positions_read_as_months_and_keys():
    watermark = '{"202610":"[\\"i:9899\\"]","202609":"[\\"i:5074\\"]"}'
    assert markers.describe(watermark) == "2026-09 … 5074 · 2026-10 … 9899"


def test_one_position_with_its_key():
    assert markers.describe(markers.encode(5074, ())) == "5074"
    assert markers.describe('["d:2024-05-01T10:00:00", 17]') == "2024-05-01 10:00:00 / 17"


def test_anything_else_is_left_to_the_caller():
    assert markers.describe("not json") is None
    assert markers.describe("[]") is None
    assert markers.describe('{"202609": 5}') is None

"""Chart text a person can read: subtitles wrapped at words to the chart's width instead of cut
off with an ellipsis, and across-regions axes with few ticks whose labels never touch."""

from __future__ import annotations

import unicodedata

from flows.report.charts import SUBTITLE_PIXELS_PER_COLUMN, shared_spec, wrapped


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_a_long_english_subtitle_is_wrapped_at_words_not_cut() -> None:
    line = (
        "Share of teachers with a postgraduate degree (incl. master's degree) · "
        "Junior secondary · unit: %"
    )
    lines = wrapped([line, "includes SYNTHETIC figures (demo data, not real)"], 380)
    assert lines == [
        "Share of teachers with a postgraduate degree (incl. master's",
        "degree) · Junior secondary · unit: %",
        "includes SYNTHETIC figures (demo data, not real)",
    ]
    assert all(_columns(x) <= 380 / SUBTITLE_PIXELS_PER_COLUMN for x in lines)


def test_chinese_wraps_anywhere_and_keeps_every_character() -> None:
    line = "学校教师中研究生学历（含硕士学位）的比例" * 3
    lines = wrapped([line], 200)
    assert "".join(lines) == line and len(lines) == 4
    assert all(_columns(x) <= 200 / SUBTITLE_PIXELS_PER_COLUMN for x in lines)


def test_across_regions_axis_has_few_ticks_and_drops_touching_labels() -> None:
    rows = [{"region": "A", "value": 14.5, "kind": "target", "href": "", "label": ""}]
    spec = shared_spec("儿童预期受教育年限", ["Expected years of schooling"], "年", rows)
    axis = spec["encoding"]["x"]["axis"]
    assert axis["tickCount"] == 5 and axis["labelOverlap"] == "greedy"

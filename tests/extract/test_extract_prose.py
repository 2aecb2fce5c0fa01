"""Targets stated in prose (flows/extract/prose/): the grammar pieces on sentences written here,
and the whole seed plans measured against the hand-keyed list (tests/corpus/prose/, keyed without
the extractor): at least 90% recall and precision on line and value per document. The seeds are
read from ../shared/seeds (`seeds_dir`: skips on a developer machine without it, fails under
CI=true)."""

from __future__ import annotations

import csv
import html
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flows.extract import extract_document, extract_text
from flows.extract.grid import SourceRef, TextBlock
from flows.extract.models import Commitment
from flows.extract.prose import prose_commitments
from flows.extract.values import chinese_number, find_quantities
from tests.corpus.prose_measure import PROSE_DIR, score, stems

PERIOD = (2021, 2025)


def _rows(*paragraphs: str) -> list[Commitment]:
    blocks = [TextBlock(p, SourceRef(line=n)) for n, p in enumerate(paragraphs, start=1)]
    return prose_commitments("t.txt", blocks, skip_lines=set(), period=PERIOD)


def _one(paragraph: str) -> Commitment:
    rows = _rows(paragraph)
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [("二十", 20), ("十五", 15), ("一百二十", 120), ("两", 2), ("三千", 3000), ("十", 10)],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_number(text) == value


def test_chinese_counts_and_shares() -> None:
    row = _one("到2025年，新建二十所公办幼儿园。")
    assert (row.value, row.unit, row.subject, row.year, row.year_basis) == (
        "20",
        "所",
        "公办幼儿园",
        2025,
        "explicit",
    )
    [share] = find_quantities("三成")
    assert (share.value, share.unit) == ("30", "%")


def test_comparator_words() -> None:
    assert _one("普惠性幼儿园在园幼儿占比达到90%以上。").comparator == ">="
    row = _one("到2025年，送教服务学生比例控制在10%以内。")
    assert (row.comparator, row.value, row.unit) == ("<=", "10", "%")
    assert _one("到2025年，参加项目的学校超过200所。").comparator == ">"
    row = _one("到2025年，城乡均衡差异系数小于0.35。")
    assert (row.comparator, row.value, row.unit) == ("<", "0.35", None)


def test_comparator_word_before_the_verb_fractions_and_the_starting_level() -> None:
    row = _one("引进优质资源，至少举办1所全球知名国际化高端品牌学校。")
    assert (row.comparator, row.value, row.quote) == (
        ">=",
        "1",
        "至少举办1所全球知名国际化高端品牌学校",
    )
    row = _one("优秀年轻干部数量不少于三分之一。")
    assert (row.comparator, row.value, row.unit) == (">=", "33.33", "%")
    rows = _rows("到2025年，教师研究生学历比例从不低于60%提高到70%。")
    assert [(r.comparator, r.value) for r in rows] == [(">=", "70")]


def test_a_share_of_something_a_change_from_the_baseline_and_every_day() -> None:
    row = _one("教师培训经费不低于学校年度公用经费预算总额的5%。")
    assert (row.subject, row.comparator, row.value) == ("教师培训经费", ">=", "5")
    row = _one("高考本科上线率较2020年提高5个百分点。")  # from the plan's baseline year: a target
    assert (row.subject, row.value, row.is_change, row.direction) == (
        "高考本科上线率",
        "5",
        True,
        "up",
    )
    row = _one("中小学生每天校内体育活动时间不少于1小时。")
    assert (row.comparator, row.value, row.unit, row.year_basis, row.per) == (
        ">=", "1", "小时", "standing", "每天",
    )  # fmt: skip


def test_points_are_a_change_and_each_year_a_standing_norm() -> None:
    row = _one("加强卫生和心理健康教育，近视率每年下降1个百分点以上。")
    assert (row.value, row.unit, row.is_change, row.direction) == ("1", "个百分点", True, "down")
    assert (row.year, row.year_basis, row.per) == (None, "standing", "每年")
    row = _one("开齐开足劳动教育必修课，平均每周不少于1课时。")
    assert (row.comparator, row.value, row.unit, row.year_basis) == (">=", "1", "课时", "standing")


def test_ranges_and_multipliers() -> None:
    row = _one("到2025年，形成4—6个示范性教育集团。")
    assert (row.comparator, row.value, row.value_upper, row.unit) == (">=", "4", "6", "个")
    row = _one("力争到2025年投资150亿元。")
    assert (row.value, row.unit) == ("150", "亿元")
    assert _one("新增学位1.2万个，满足入学需求。").unit == "万个"


def test_respectively_gives_one_row_per_value_with_its_own_subject() -> None:
    rows = _rows("到2025年，小学、初中巩固率分别达到95%、90%。")
    assert [(r.subject, r.value, r.comparator) for r in rows] == [
        ("小学", "95", ">="),
        ("初中巩固率", "90", ">="),
    ]


def test_a_verb_before_the_count_makes_the_words_after_it_the_subject() -> None:
    rows = _rows("到2025年，创建50所区级艺术特色学校，6所市级艺术特色学校。")
    assert [(r.subject, r.value) for r in rows] == [
        ("区级艺术特色学校", "50"),
        ("市级艺术特色学校", "6"),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "推进五大创建工作，实施六大工程。",  # enumerating labels
        "全面推进“1+X”证书制度试点工作，形成“5+2”模式。",  # labels in quotes
        "中职毕业生继续保持全省第一方阵。",  # an ordinal
        "高质量普及十五年特殊教育。",  # a span of schooling
        "实现全区中小学学校集团化办学全覆盖，确保教育投入只增不减。",  # no number
        "“十三五”以来，省标准化学校创建率达100%，新增学位2万个。",  # past results
        "普惠性幼儿园覆盖面达到97.6%，比2015年提高12个百分点。",  # compared with the past
        "根据《余杭区中小学布点规划2017-2035》，制定本规划（越政办发〔2022〕33号）。",
        "2021—2025年我市将推进五大创建，2022年6月20日印发。",  # plan period and dates
        "鼓励以各种形式经常性参与教育活动的60岁及以上老年人。",  # an age in a subject
    ],
)
def test_not_commitments(sentence: str) -> None:
    assert _rows(sentence) == []


def test_a_past_section_holds_results_not_commitments() -> None:
    rows = _rows(
        "一、发展基础",
        "全区中小幼教育集团26个，覆盖面达59.1%，普惠性幼儿园覆盖面达97.6%。",
        "二、主要目标",
        "到2025年，普惠性幼儿园覆盖面达到98%以上。",
    )
    assert [(r.line, r.value, r.section) for r in rows] == [(4, "98", "二、主要目标")]


def test_table_lines_are_left_to_the_table_reader() -> None:
    text = (
        "某区教育事业发展“十四五”规划\n"
        "到2025年，学前三年毛入园率达到99%以上。\n"
        "表1 主要指标\n"
        "指标\t单位\t2020年\t2025年\n"
        "学前三年毛入园率\t%\t98\t≥99\n"
        "高中段毛入学率\t%\t97\t≥98\n"
    )
    document = extract_text(
        "t.txt", text, {"region_code": "330110", "period_start_year": 2021, "period_end_year": 2025}
    )
    assert [c.value for c in document.cells if c.role == "target"] == ["99", "98"]
    assert [(r.line, r.value) for r in document.commitments] == [(2, "99")]


def test_seeds_against_the_hand_keyed_list(seeds_dir: Path) -> None:
    """At least 90% of the keyed commitments extracted with the right line and value, and at
    least 90% of what is extracted keyed, per document."""
    assert stems(), f"no keyed list in {PROSE_DIR}"
    for stem in stems():
        result = score(seeds_dir, stem)
        assert result.recall >= 0.9, f"{result.format()}; missed {result.missed}"
        assert result.precision >= 0.9, f"{result.format()}; not keyed {result.spurious}"


def test_no_commitment_comes_from_a_table_block(seeds_dir: Path) -> None:
    blocks: dict[str, list[range]] = {}
    with (PROSE_DIR / "table_blocks.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            blocks.setdefault(row["stem"], []).append(
                range(int(row["first_line"]), int(row["last_line"]) + 1)
            )
    for stem, spans in blocks.items():
        rows = extract_document(seeds_dir / f"{stem}.txt").commitments
        inside = [(r.line, r.quote) for r in rows if any(r.line in span for span in spans)]
        assert inside == [], f"{stem}: commitments inside table blocks: {inside}"


def _pdf(lines: list[str], path: Path) -> None:
    """The lines as wrapped PDF paragraphs, and a ruled table (the PDF reader reads ruled ones)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from tests.corpus.render_formats import CJK_FONT

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(CJK_FONT), subfontIndex=0))
    style = ParagraphStyle("cjk", fontName="WQY", fontSize=10, leading=13, wordWrap="CJK")
    rows = [["指标", "2020年", "2025年"], ["学前三年毛入园率", "98", "≥99"]]
    table = Table(
        [[Paragraph(t, style) for t in row] for row in rows],
        style=TableStyle([("GRID", (0, 0), (-1, -1), 0.6, "black")]),
    )
    story = [Paragraph(html.escape(t) or "&nbsp;", style) for t in lines]
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [*story, Paragraph("表1 主要指标", style), table]
    )


def test_a_whole_document_as_html_docx_or_pdf_gives_the_same_commitments(
    seeds_dir: Path, tmp_path: Path
) -> None:
    """The body text of a whole plan read from a web page, a Word document and a PDF (lines
    wrapped on the page) gives the text document's commitments, each placed in its format."""
    import docx

    seed = seeds_dir / f"{stems()[-1]}.txt"
    rows = extract_document(seed)
    tables = {n for t in rows.tables for n in range(t.header_line - 1, t.last_line + 1)}
    lines = [t for n, t in enumerate(seed.read_text(encoding="utf-8").splitlines(), 1)
             if n not in tables]  # fmt: skip

    def spoken(found: list[Commitment]) -> list[tuple[object, ...]]:  # (U+00A0 folds to a space)
        return [(r.value, r.unit, (r.subject or "").replace("\xa0", " ")) for r in found]

    expected = spoken(rows.commitments)
    page = tmp_path / "plan.html"
    page.write_text(
        "<html><body>\n"
        + "\n".join(f"<p>{html.escape(t)}</p>" for t in lines)
        + "\n</body></html>",
        encoding="utf-8",
    )
    document = docx.Document()
    for text in lines:
        document.add_paragraph(text)
    document.save(str(tmp_path / "plan.docx"))
    _pdf(lines, tmp_path / "plan.pdf")
    for path, where in ((page, "line "), (tmp_path / "plan.docx", "line "),
                        (tmp_path / "plan.pdf", "page ")):  # fmt: skip
        found = extract_document(path).commitments
        assert spoken(found) == expected, path.suffix
        assert all(r.source_ref.startswith(where) for r in found), path.suffix


def test_eduplan_extract_writes_prose_targets(seeds_dir: Path, tmp_path: Path) -> None:
    from flows.cli import EXIT_OK, main

    seed = seeds_dir / f"{stems()[-1]}.txt"
    assert main(["extract", str(seed), "--out", str(tmp_path)]) == EXIT_OK
    with (tmp_path / "prose_targets.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0])[:6] == ["doc", "line", "quote", "subject", "comparator", "value"]
    lines = seed.read_text(encoding="utf-8").splitlines()
    for row in rows:  # every quote is an exact substring of its line
        assert row["quote"] in lines[int(row["line"]) - 1], row


_PIECES = list(
    "0123456789.%，。；、：一二两三四五六七八九十百千万亿所个名项年到至达以上下不少于超过控制在"
    "内左右约每周前第“”《》（）-—～∶:分之成个百分点比较提高降 \u00a0<>"
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=60).map("".join))
@example("达到1-0:4所以上")  # a range whose upper bound reads as a ratio
@example("不少于0分之0。三成-5.5.成")
def test_any_text_reads_without_error_and_quotes_are_exact(text: str) -> None:
    """Whatever the body text says, reading it never raises (a table beside it must still be
    read), and every quote is an exact substring of its paragraph."""
    for period in (PERIOD, None):
        rows = prose_commitments(
            "t.txt",
            [TextBlock(text, SourceRef(line=1)), TextBlock(text, SourceRef(page=1, row=2))],
            skip_lines=set(),
            period=period,
        )
        for row in rows:
            assert row.quote and row.quote in text
            float(row.value.split(":")[0])


def test_a_failure_in_the_body_text_leaves_the_tables_and_says_so(monkeypatch) -> None:
    import flows.extract as extract

    def broken(*args: object, **kwargs: object) -> list[Commitment]:
        raise ValueError("planted")

    monkeypatch.setattr(extract, "prose_commitments", broken)
    text = "指标\t2020年\t2025年\n学前三年毛入园率\t98\t≥99\n"
    document = extract.extract_text("t.txt", text, {"region_code": "330110"})
    assert [c.value for c in document.cells] == ["98", "99"]
    assert document.commitments == []
    assert any("targets stated in the text not read" in w for w in document.warnings)

"""Layouts the seeds do not show, bad input, and property tests on the value grammar."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.extract import PlanTableError, extract_document, extract_text
from flows.extract.values import ALLOWED_COMPARATORS, clean_cell, parse_value
from tests.conftest import PLANS_DIR

VARIANT_TABBED = """某县教育事业发展“十四五”规划

表2 主要指标
指标属性\t指标名称\t单位\t2020年\t2023年\t目标值\t评价
约束性\t学前三年毛入园率\t%\t98.5\t≥99\t＞99.5\t
预期性\t生均公用经费\t元\t2,000\t2100\t逐年只增不减\t
"""

VARIANT_STACKED = """某区教育发展规划（2021-2025年）

\t类别
\t指标名称
\t学段
\t2020年
\t2022年
\t2025年
\t属性

\t普及
\t毛入学率（%）
\t高中段
\t95
\t96
\t>97
\t约束性

\t
\t
\t义务段
\t100
\t100
\t100
\t约束性
"""


def test_reordered_columns_other_wording_and_an_extra_year() -> None:
    doc = extract_text("variant.txt", VARIANT_TABBED.replace("2,000", "2000"))
    by_year = {(c.indicator, c.year): c for c in doc.cells}
    c = by_year[("学前三年毛入园率", 2025)]  # 目标值: the period's final year
    assert (c.role, c.comparator, c.value, c.attribute, c.unit) == (
        "target",
        ">",
        "99.5",
        "约束性",
        "%",
    )
    c = by_year[("学前三年毛入园率", 2023)]
    assert (c.role, c.comparator, c.value) == ("milestone", ">=", "99")
    assert by_year[("学前三年毛入园率", 2020)].role == "baseline"
    c = by_year[("生均公用经费", 2025)]
    assert (c.raw_value, c.comparator, c.value) == ("逐年只增不减", None, None)
    assert len(doc.cells) == 6


def test_a_number_with_a_thousands_separator_reads_without_it() -> None:
    doc = extract_text("variant.txt", VARIANT_TABBED)
    c = next(c for c in doc.cells if c.raw_value == "2,000")
    assert (c.comparator, c.value) == ("=", "2000")


def test_stacked_table_with_a_named_breakdown_column_and_period_from_the_title() -> None:
    doc = extract_text("variant.txt", VARIANT_STACKED)
    assert [t.period_end_year for t in doc.tables] == [2025]
    got = {(c.indicator, c.breakdown, c.year): (c.role, c.raw_value) for c in doc.cells}
    assert got[("毛入学率（%）", "高中段", 2025)] == ("target", ">97")
    assert got[("毛入学率（%）", "义务段", 2022)] == ("milestone", "100")
    assert all(c.category == "普及" and c.unit == "%" for c in doc.cells)
    assert len(doc.cells) == 6


def test_no_table_is_an_error_naming_the_file() -> None:
    with pytest.raises(PlanTableError, match=r"^prose\.txt: no indicator table"):
        extract_text("prose.txt", "某市教育规划\n\n一、总体要求。坚持教育优先发展。\n")


def test_row_with_more_cells_than_its_header_names_the_line() -> None:
    text = VARIANT_TABBED.replace("逐年只增不减\t", "逐年只增不减\t多余\t还有\t再多")
    with pytest.raises(PlanTableError, match=r"^v\.txt:6: row has 9 non-empty cells"):
        extract_text("v.txt", text)


def test_header_with_no_year_names_the_line() -> None:
    text = "规划\n\n维度\t主要指标\t指标属性\n学段\t学位数\t预期性\n"
    with pytest.raises(PlanTableError, match=r"^h\.txt:3: header has no year column"):
        extract_text("h.txt", text)


def test_unknown_attribute_is_an_error_not_a_silent_skip() -> None:
    text = VARIANT_TABBED.replace("约束性\t学前", "必须性\t学前")
    with pytest.raises(PlanTableError, match=r"^a\.txt:5: "):
        extract_text("a.txt", text)


def test_gbk_file_is_rejected_clearly(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(VARIANT_TABBED.encode("gbk"))
    with pytest.raises(PlanTableError, match=r"gbk\.txt:1: not UTF-8 text \(GBK\?"):
        extract_document(path)


def test_crlf_and_bom_read_like_lf(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + VARIANT_STACKED.replace("\n", "\r\n").encode("utf-8"))
    assert [(c.raw_value, c.line) for c in extract_document(path).cells] == [
        (c.raw_value, c.line) for c in extract_text("x", VARIANT_STACKED).cells
    ]


@pytest.mark.parametrize(
    ("text", "comparator", "value"),
    [
        (">90", ">", "90"),
        ("≥92.5", ">=", "92.5"),
        ("<0.28", "<", "0.28"),
        ("≤49.34", "<=", "49.34"),
        ("100", "=", "100"),
        ("0.250", "=", "0.250"),
        ("＞99.5", ">", "99.5"),
        (" >= 3 ", ">=", "3"),
        ("-", None, None),
        ("—", None, None),
        ("逐年只增不减", None, None),
        ("达到 100%", ">=", "100"),
        ("创建率高于全省平均 10%", None, None),
    ],
)
def test_value_grammar(text: str, comparator: str | None, value: str | None) -> None:
    parsed = parse_value(text)
    assert (parsed.comparator, parsed.value) == (comparator, value)
    assert parsed.raw_value == text.strip()


@given(st.text())
def test_value_grammar_never_raises(text: str) -> None:
    parsed = parse_value(text)
    assert parsed.comparator is None or parsed.comparator in ALLOWED_COMPARATORS
    assert (parsed.comparator is None) == (parsed.value is None)


@given(
    st.sampled_from(["", ">", "≥", "<", "≤", ">=", "<="]),
    st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
)
def test_value_grammar_keeps_the_number_as_written(prefix: str, number: object) -> None:
    text = f"{prefix}{number}"
    parsed = parse_value(text)
    assert parsed.value == str(number)
    assert parsed.comparator == {"": "=", "≥": ">=", "≤": "<="}.get(prefix, prefix)


_LAYOUTS = [p.read_text(encoding="utf-8") for p in sorted(PLANS_DIR.glob("*.txt"))]


@st.composite
def perturbed_document(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(_LAYOUTS)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "tab", "untab", "junk", "blank", "swap"]))
        if action == "drop":
            del lines[i]
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "tab":
            lines[i] = "\t" + lines[i]
        elif action == "untab":
            lines[i] = lines[i].replace("\t", "", 1)
        elif action == "junk":
            lines[i] = lines[i] + draw(
                st.text(alphabet="\t 0123456789<>≥.-约束性预期完成年", max_size=12)
            )
        elif action == "blank":
            lines.insert(i, "")
        elif action == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perturbed_document())
def test_perturbed_tables_never_raise_anything_but_a_plan_table_error(text: str) -> None:
    try:
        doc = extract_text("perturbed.txt", text)
    except PlanTableError as error:
        assert error.file == "perturbed.txt" and str(error).startswith("perturbed.txt")
        return
    for c in doc.cells:
        assert c.role in {"baseline", "milestone", "target", "actual"}
        assert c.comparator is None or c.comparator in ALLOWED_COMPARATORS
        # the cell starts on its cited line (a stacked cell may continue on the next lines);
        # the meaning reader cuts cells at spaces too: then the value stands on the line
        cited = [clean_cell(part) for part in text.split("\n")[c.line - 1].split("\t")]
        assert any(
            part and (c.raw_value.startswith(part) or c.raw_value in part) for part in cited
        ), (c, cited)


@pytest.mark.parametrize(
    ("text", "comparator", "value", "upper", "approximate"),
    [
        ("99%以上", ">=", "99", None, False),
        ("12.3年以上", ">=", "12.3", None, False),
        ("不低于95", ">=", "95", None, False),
        ("达到95", ">=", "95", None, False),
        ("超过90", ">", "90", None, False),
        ("95%以下", "<=", "95", None, False),
        ("不高于0.5", "<=", "0.5", None, False),
        ("控制在5以内", "<=", "5", None, False),
        ("控制在2天以内", "<=", "2", None, False),
        ("达到95%以上", ">=", "95", None, False),
        ("98左右", "=", "98", None, True),
        ("约98", "=", "98", None, True),
        ("95-97", ">=", "95", "97", False),
        ("95～97", ">=", "95", "97", False),
        ("2,000", "=", "2000", None, False),
        ("95%", "=", "95", None, False),
        ("/", None, None, None, False),
    ],
)
def test_value_grammar_words_ranges_and_approximations(
    text: str, comparator: str | None, value: str | None, upper: str | None, approximate: bool
) -> None:
    parsed = parse_value(text)
    assert (parsed.comparator, parsed.value, parsed.value_upper, parsed.is_approximate) == (
        comparator,
        value,
        upper,
        approximate,
    )
    assert parsed.readable


def test_a_value_the_grammar_cannot_read_is_kept_and_reported_never_guessed() -> None:
    text = "某县“十四五”规划\n\n指标\t2020年\t2025年\n毛入园率（%）\t98\t九成以上\n"
    doc = extract_text("w.txt", text)
    c = next(c for c in doc.cells if c.year == 2025)
    assert (c.raw_value, c.comparator, c.value) == ("九成以上", None, None)
    assert doc.warnings == [
        "w.txt:4: value '九成以上' is not a number the value grammar reads; kept as text"
    ]
    assert extract_text("w.txt", text.replace("九成以上", "逐年只增不减")).warnings == []


DOUBLE_SPACED = "某县教育“十四五”规划\n\n{0}\n\n{1}\n\n{2}\n\n以上为主要指标。\n"
ROWS = [["指标", "2020年", "2025年"], ["毛入园率（%）", "98", "≥99"], ["巩固率（%）", "100", "100"]]


@pytest.mark.parametrize(
    "join",
    [
        "\t".join,
        " | ".join,  # pipes without the outer ones
        lambda cells: "｜" + "｜".join(cells) + "｜",  # full-width pipes
    ],
)
def test_rows_with_blank_lines_between_them_stay_one_table(join: object) -> None:
    text = DOUBLE_SPACED.format(*(join(r) for r in ROWS))  # type: ignore[operator]
    doc = extract_text("d.txt", text)
    got = [(c.indicator, c.year, c.comparator, c.value, c.line) for c in doc.cells]
    assert got == [
        ("毛入园率（%）", 2020, "=", "98", 5),
        ("毛入园率（%）", 2025, ">=", "99", 5),
        ("巩固率（%）", 2020, "=", "100", 7),
        ("巩固率（%）", 2025, "=", "100", 7),
    ]
    assert len(doc.tables) == 1


def test_other_ways_of_writing_attributes_and_evaluations_read_as_the_word() -> None:
    text = (
        "某县“十四五”规划\n\n指标\t2020年\t2025年\t属性\t评价\n"
        "毛入园率（%）\t98\t99\t约束性指标\t已完成\n"
    )
    c = extract_text("f.txt", text).cells[0]
    assert (c.attribute, c.evaluation) == ("约束性", "完成")

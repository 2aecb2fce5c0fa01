"""Hand-made hostile pages, documents and PDFs: odd layouts read sensibly, bad files are refused
with an error naming the file, the position where there is one, and what was wrong."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from flows.extract.formats import read_docx, read_html, read_laid_out, read_pdf
from flows.extract.grid import Grid
from flows.extract.models import PlanTableError
from tests.corpus.render_formats import CJK_FONT


def texts(grid: Grid) -> list[list[str]]:
    return [[cell.text for cell in row] for row in grid.rows]


def page(tmp_path: Path, body: str, *, charset: str = "utf-8", name: str = "p.html") -> Path:
    path = tmp_path / name
    head = f'<html><head><meta charset="{charset}"><title>某县教育“十四五”规划</title></head>'
    path.write_bytes(f"{head}<body>{body}</body></html>".encode(charset))
    return path


TABLE = "<table><tr><th>指标</th><th>2025年</th></tr><tr><td>入园率</td><td>95</td></tr></table>"


def test_html_nested_table_inside_a_layout_table(tmp_path: Path) -> None:
    """A page laid out with a table: the outer table is page layout (its text is running text),
    the data table inside it is the one grid, captioned by the title above it."""
    path = page(
        tmp_path,
        "<table><tr><td><a>首页</a> &gt; <a>政务公开</a></td></tr><tr><td><p>某政发〔2021〕3号</p>"
        f"<p>表1 主要指标</p>{TABLE}<p>2021年5月6日</p></td></tr></table>",
    )
    document = read_html(path)
    assert [texts(g) for g in document.grids] == [[["指标", "2025年"], ["入园率", "95"]]]
    assert document.grids[0].caption == "表1 主要指标"
    assert [b.text for b in document.text] == [
        "某县教育“十四五”规划",
        "首页 > 政务公开",
        "某政发〔2021〕3号",
        "表1 主要指标",
        "2021年5月6日",
    ]


def test_html_empty_cells_stay_empty_and_hidden_elements_are_not_read(tmp_path: Path) -> None:
    path = page(
        tmp_path,
        "<table><tr><td>指标</td><td>2020年</td><td>2025年</td></tr>"
        "<tr><td>入园率</td><td></td><td>95</td></tr>"
        "<tr><td>&nbsp;</td><td>\u3000</td><td> <span> </span> </td></tr>"
        '<tr style="display:none"><td width="64"></td><td></td><td></td></tr>'
        '<!--[if !supportMisalignedColumns]--><tr height="0"><td width="64"></td></tr></table>'
        '<div style="display: none"><table><tr><td>隐藏</td><td>1</td></tr>'
        "<tr><td>副本</td><td>2</td></tr></table></div><p hidden>隐藏的段落</p>",
    )
    document = read_html(path)
    assert [texts(g) for g in document.grids] == [
        [["指标", "2020年", "2025年"], ["入园率", "", "95"], ["", "", ""]]
    ]
    assert [b.text for b in document.text] == ["某县教育“十四五”规划"]  # hidden text is not read


def test_html_layout_tables_without_indicator_words(tmp_path: Path) -> None:
    """A one-row navigation bar is running text; a 2x2 layout table is still a grid (the semantic
    layer, not the reader, decides that it holds no indicators)."""
    path = page(
        tmp_path,
        "<table><tr><td>首页</td><td>机构</td><td>公开</td></tr></table>"
        "<table><tr><td>发布日期</td><td>2021-05-06</td></tr>"
        "<tr><td>来源</td><td>教育局</td></tr></table>",
    )
    document = read_html(path)
    assert [texts(g) for g in document.grids] == [[["发布日期", "2021-05-06"], ["来源", "教育局"]]]
    assert [b.text for b in document.text][1:] == ["首页", "机构", "公开"]


def test_html_two_header_rows_with_a_year_over_two_sub_columns(tmp_path: Path) -> None:
    path = page(
        tmp_path,
        '<table><thead><tr><th rowspan="2">指标</th><th rowspan="2">2020年</th>'
        '<th colspan="2">2025年</th></tr><tr><th>目标</th><th>属性</th></tr></thead>'
        "<tbody><tr><td>入园率</td><td>90</td><td>≥95</td><td>约束性</td></tr></tbody></table>",
    )
    grid = read_html(path).grids[0]
    assert texts(grid) == [
        ["指标", "2020年", "2025年", ""],
        ["", "", "目标", "属性"],
        ["入园率", "90", "≥95", "约束性"],
    ]
    assert grid.rows[0][3].merged_from == (0, 2)
    assert grid.rows[1][0].merged_from == (0, 0) and grid.rows[1][1].merged_from == (0, 1)
    assert grid.rows[1][2].merged_from is None and grid.rows[1][2].ref.column == 3


def test_html_br_nested_spans_and_source_line_breaks_join_without_spaces(tmp_path: Path) -> None:
    path = page(
        tmp_path,
        "<table><tr><td><span>学前三年</span><br/><span><b>毛入园</b>率</span>（%）</td>"
        "<td>Wi-Fi\n   coverage</td></tr><tr><td>普通高中\n      毛入学率</td>"
        '<td colspan="x" rowspan="99">98</td></tr></table>',
    )
    assert texts(read_html(path).grids[0]) == [
        ["学前三年毛入园率（%）", "Wi-Fi coverage"],
        ["普通高中毛入学率", "98"],
    ]


@pytest.mark.parametrize("charset", ["gbk", "GB2312", "gb18030"])
def test_html_page_in_its_declared_chinese_charset(tmp_path: Path, charset: str) -> None:
    path = page(tmp_path, f"<p>嘉兴市教育局</p>{TABLE}", charset="gb18030")
    path.write_bytes(
        path.read_bytes().replace(b'charset="gb18030"', f'charset="{charset}"'.encode())
    )
    document = read_html(path)
    assert texts(document.grids[0])[0] == ["指标", "2025年"]
    assert document.text[1].text == "嘉兴市教育局"


def test_html_page_saved_as_utf8_under_a_stale_gb2312_declaration(tmp_path: Path) -> None:
    path = page(tmp_path, f"<p>嘉兴市教育局</p>{TABLE}")
    path.write_bytes(path.read_bytes().replace(b'charset="utf-8"', b'charset="gb2312"'))
    assert texts(read_html(path).grids[0])[0] == ["指标", "2025年"]


def test_html_bytes_not_in_the_declared_or_default_charset(tmp_path: Path) -> None:
    path = tmp_path / "gbk-undeclared.html"
    path.write_bytes(f"<html><body>\n\n<p>嘉兴</p>{TABLE}</body></html>".encode("gbk"))
    with pytest.raises(PlanTableError) as error:
        read_html(path)
    assert error.value.file == str(path) and error.value.line == 3
    assert "UTF-8 (no charset declared)" in error.value.message


def test_html_without_a_table(tmp_path: Path) -> None:
    with pytest.raises(PlanTableError, match=r"p\.html: no table in the page"):
        read_html(page(tmp_path, "<p>通知</p>"))


def test_docx_merged_headers_empty_cells_and_a_layout_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("表2 发展指标")
    one_column = document.add_table(rows=2, cols=1)  # a boxed note: running text
    one_column.cell(0, 0).text, one_column.cell(1, 0).text = "注：", "带*为约束性指标"
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "指标"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "2025年"
    table.cell(0, 3).text = "属性"
    table.cell(1, 1).text, table.cell(1, 2).text = "目标", "预期"
    for c, text in enumerate(["入园率", "95", "", "约束性"]):
        table.cell(2, c).text = text
    table.cell(3, 0).text = "巩固率"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    laid_out = read_docx(path)
    grid = laid_out.grids[0]
    assert texts(grid) == [
        ["指标", "2025年", "", "属性"],
        ["", "目标", "预期", ""],
        ["入园率", "95", "", "约束性"],
        ["巩固率", "", "", ""],
    ]
    assert grid.rows[1][0].merged_from == (0, 0) and grid.rows[0][2].merged_from == (0, 1)
    assert grid.rows[2][2].merged_from is None and grid.rows[1][3].merged_from is None
    assert grid.caption == "带*为约束性指标"  # the nearest paragraph above: the boxed note
    assert [b.text for b in laid_out.text] == ["表2 发展指标", "注：", "带*为约束性指标"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip at all", "not a valid .docx file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old binary Word file"),
    ],
)
def test_docx_that_is_not_a_docx(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(PlanTableError, match=message) as error:
        read_laid_out(path)
    assert error.value.file == str(path)


def test_docx_without_a_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("只有正文")
    path = tmp_path / "prose.docx"
    document.save(str(path))
    with pytest.raises(PlanTableError, match=r"prose\.docx: no table in the document"):
        read_docx(path)


def _pdf(path: Path, draw, **options) -> Path:  # type: ignore[no-untyped-def]
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(CJK_FONT), subfontIndex=0))
    pdf = canvas.Canvas(str(path), **options)
    pdf.setFont("WQY", 11)
    draw(pdf)
    pdf.save()
    return path


def _ruled(pdf, top: float, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    xs = [72, 200, 300, 400]
    for r, row in enumerate(rows + [[]]):
        pdf.line(xs[0], top - 20 * r, xs[-1], top - 20 * r)
        for c, text in enumerate(row):
            pdf.drawString(xs[c] + 4, top - 20 * r - 14, text)
    for x in xs:
        pdf.line(x, top, x, top - 20 * len(rows))


def test_pdf_two_tables_on_consecutive_pages_stay_two(tmp_path: Path) -> None:
    """A table at the top of a page is a continuation only if it repeats the header (or the last
    one ran to the bottom of its page): otherwise it is a table of its own."""

    def draw(pdf) -> None:  # type: ignore[no-untyped-def]
        pdf.drawString(72, 780, "表1 十三五指标")
        pdf.drawString(72, 780, "表1 十三五指标")  # bold faked by printing twice: read once
        _ruled(pdf, 760, [["指标", "2015年", "2020年"], ["入园率", "90", "95"]])
        _ruled(pdf, 760, [["指标", "2015年", "2020年"]])
        pdf.showPage()
        pdf.setFont("WQY", 11)
        _ruled(pdf, 800, [["项目", "时间", "区县"], ["创建", "2021", "完成"]])

    document = read_pdf(_pdf(tmp_path / "two.pdf", draw))
    assert [texts(g) for g in document.grids] == [
        [["指标", "2015年", "2020年"], ["入园率", "90", "95"]],
        [["项目", "时间", "区县"], ["创建", "2021", "完成"]],
    ]
    assert document.grids[0].caption == "表1 十三五指标" and document.grids[1].caption is None


def test_pdf_without_a_text_layer(tmp_path: Path) -> None:
    def draw(pdf) -> None:  # type: ignore[no-untyped-def]
        pdf.rect(72, 500, 300, 200, fill=1)  # a scanned page: shapes, no characters

    with pytest.raises(PlanTableError, match="no text layer .* image-only") as error:
        read_pdf(_pdf(tmp_path / "scan.pdf", draw))
    assert error.value.file == str(tmp_path / "scan.pdf")


def test_pdf_behind_a_password(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    def draw(pdf) -> None:  # type: ignore[no-untyped-def]
        _ruled(pdf, 760, [["指标", "2020年", "2025年"], ["入园率", "90", "95"]])

    encrypt = StandardEncryption("user-secret", "owner-secret")
    with pytest.raises(PlanTableError, match="encrypted PDF"):
        read_pdf(_pdf(tmp_path / "locked.pdf", draw, encrypt=encrypt))


def test_pdf_with_text_but_no_ruled_table(tmp_path: Path) -> None:
    def draw(pdf) -> None:  # type: ignore[no-untyped-def]
        pdf.drawString(72, 760, "指标    2020年    2025年")

    with pytest.raises(PlanTableError, match=r"no ruled table on any of its 1 pages"):
        read_pdf(_pdf(tmp_path / "prose.pdf", draw))


def test_not_a_pdf_and_unknown_suffixes(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("<html>not a pdf</html>", encoding="utf-8")
    with pytest.raises(PlanTableError, match="fake.pdf: not a valid PDF"):
        read_laid_out(fake)
    odd = tmp_path / "plan.ofd"
    odd.write_bytes(b"")
    with pytest.raises(PlanTableError, match=r"plan\.ofd: not a format these readers know"):
        read_laid_out(odd)
    empty = tmp_path / "plan.xlsx"  # .xlsx has a reader now: an empty file is not a workbook
    empty.write_bytes(b"")
    with pytest.raises(PlanTableError, match=r"plan\.xlsx: not an \.xlsx workbook"):
        read_laid_out(empty)


def test_pdf_table_running_to_the_page_bottom_goes_on_past_running_lines(tmp_path: Path) -> None:
    """A table that fills its page and goes on at the top of the next one, without repeating
    its header, a page number and a running header between: one grid, each cell citing its own
    page and row."""
    rows = [["指标", "2020年", "2025年"]] + [[f"指标{i}", str(i), str(i + 1)] for i in range(39)]

    def draw(pdf) -> None:  # type: ignore[no-untyped-def]
        pdf.drawString(72, 820, "某市教育局文件")  # a running header
        pdf.drawString(72, 800, "表3 发展指标")
        _ruled(pdf, 780, rows[:34])  # down to 100 pt above the bottom edge
        pdf.drawString(280, 40, "- 1 -")
        pdf.showPage()
        pdf.setFont("WQY", 11)
        pdf.drawString(72, 820, "某市教育局文件")
        pdf.drawString(280, 805, "- 2 -")
        _ruled(pdf, 790, rows[34:])

    grid = read_pdf(_pdf(tmp_path / "long.pdf", draw)).grids
    assert len(grid) == 1 and texts(grid[0]) == rows
    last = grid[0].rows[-1][2]
    assert (last.text, last.ref.page, last.ref.row, last.ref.column) == ("39", 2, 6, 3)


TITLED = [["表4 主要指标", "", ""], ["指标", "2020年", "2025年"], ["入园率", "90", "95"]]
NOTE = "注：带*为约束性指标"


def test_title_and_note_rows_across_the_table_in_every_format(tmp_path: Path) -> None:
    """`表4 主要指标` typeset as the table's first row, one cell across it: the caption, not a
    header row; `注：...` as its last row: a note, running text after the table. The rows in
    between keep citing their own row numbers."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    html_path = page(
        tmp_path,
        '<p>说明</p><table><tr><td colspan="3">表4 主要指标</td></tr>'
        + "".join("<tr>" + "".join(f"<td>{t}</td>" for t in row) + "</tr>" for row in TITLED[1:])
        + f'<tr><td colspan="3">{NOTE}</td></tr></table><p>正文</p>',
    )
    document = docx.Document()
    document.add_paragraph("说明")
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = TITLED[0][0]
    for r, row in enumerate(TITLED[1:], start=1):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(3, 0).merge(table.cell(3, 2)).text = NOTE
    document.add_paragraph("正文")
    docx_path = tmp_path / "titled.docx"
    document.save(str(docx_path))
    _pdf(tmp_path / "font.pdf", lambda pdf: pdf.drawString(72, 700, "字"))  # registers WQY
    pdf_path = tmp_path / "titled.pdf"
    style = ParagraphStyle("cjk", fontName="WQY", fontSize=10, leading=13)
    data = [[Paragraph(text, style) for text in row] for row in [*TITLED, [NOTE, "", ""]]]
    grid_style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, "black"),
            ("SPAN", (0, 0), (2, 0)),
            ("SPAN", (0, 3), (2, 3)),
        ]
    )
    SimpleDocTemplate(str(pdf_path)).build(
        [Paragraph("说明", style), Table(data, style=grid_style), Paragraph("正文", style)]
    )
    for path in (html_path, docx_path, pdf_path):
        laid_out = read_laid_out(path)
        grid = laid_out.grids[0]
        assert texts(grid) == TITLED[1:], path.suffix
        assert grid.caption == "表4 主要指标" and grid.caption_ref.row == 1, path.suffix
        assert [cell.ref.row for cell in grid.rows[0]] == [2, 2, 2], path.suffix
        assert [b.text for b in laid_out.text][-3:] == ["说明", NOTE, "正文"], path.suffix
        note = laid_out.text[-2]
        assert (note.ref.row, note.ref.column) == (4, 1), path.suffix

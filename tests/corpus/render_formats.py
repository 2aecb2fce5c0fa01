"""Render each seed plan's tables as a government would publish them: .html, .docx and .pdf,
and as spreadsheets: .xlsx and .csv.

    python -m tests.corpus.render_formats OUT_DIR

Every rendering carries the seed's front matter (the lines above its first table: title, 文号,
issuer, date: document facts), a line of filler prose (not the plans' prose: the repository holds
tables and facts only) and each table under its title, laid out by
`published.publish` with merged cells. HTML: rowspan/colspan, <thead>, inline styles, nested
spans, <br> and source line breaks inside cells. DOCX: vMerge/gridSpan merges, a repeated header
row, manual line breaks in cells. PDF (reportlab, the embedded WenQuanYi Micro Hei TrueType
font): ruled tables, merged cells, cells wrapped over lines, and every table longer than
`PDF_ROWS_PER_PAGE` rows crossing a page break with its header repeated. XLSX (openpyxl): the
front matter in one-cell rows (the title merged across), the first table on the first sheet,
each further table on a sheet of its own under its caption, merged ranges, numbers typed as
numbers with the number format that shows them as written (0.25 as `0.000`, 0.95 as `0%`),
wrapped labels, a hidden column and a hidden sheet of notes that must not be read. CSV: the same
rows on one sheet, tables separated by a blank row, a merge's covered cells empty (as Excel
exports them), wrapped labels as quoted line breaks, the second table shifted one column right.
"""

from __future__ import annotations

import atexit
import functools
import html
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus.published import Published, publish, seed_grids

PLANS_DIR = Path(__file__).resolve().parents[2] / "raw" / "plans"
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # apt: fonts-wqy-microhei
PDF_ROWS_PER_PAGE = 14  # data rows per page: the longer seed tables cross page breaks
FILLER = "本文件为读取器测试用的排版样本，表格数据取自原文件。"
FORMATS = ("html", "docx", "pdf")
SHEET_FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Rendering:
    """One rendered file and the published tables a reader must give back from it."""

    seed: Path
    path: Path
    format: str
    tables: list[Published]
    text: list[str]  # the running text a reader must give back, in reading order


def front_matter(seed: Path) -> list[str]:
    """The seed's lines above its first table's title: the document facts."""
    first = seed_grids(seed)[0]
    lines = seed.read_text(encoding="utf-8").splitlines()[: first.ref.line - 1]
    texts = [" ".join(line.split()) for line in lines if line.strip()]
    return texts[:-1] if texts and texts[-1] == first.caption else texts


def _wrap_at(text: str) -> int | None:
    """Where a long label may wrap: between two CJK characters near its middle."""
    if len(text) < 10:
        return None
    for i in range(len(text) // 2, len(text) - 1):
        if "\u4e00" <= text[i - 1] <= "\u9fff" and "\u4e00" <= text[i] <= "\u9fff":
            return i
    return None


def page_breaks(rows: int) -> frozenset[int]:
    """Row indices (header = 0) that start a new PDF page."""
    return frozenset(range(1 + PDF_ROWS_PER_PAGE, rows, PDF_ROWS_PER_PAGE))


# --- HTML -------------------------------------------------------------------------------------


def _html_cell(table: Published, r: int, c: int) -> str:
    rowspan, colspan = table.span(r, c)
    text = table.texts[r][c]
    cut = _wrap_at(text)
    if cut is not None and (r + c) % 2:
        body = f"{html.escape(text[:cut])}<br/>{html.escape(text[cut:])}"
    elif cut is not None:
        body = f"{html.escape(text[:cut])}\n            {html.escape(text[cut:])}"
    else:
        body = html.escape(text)
    tag = "th" if r == 0 else "td"
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    style = ' style="border:1px solid #000;padding:4px;text-align:center"'
    inner = f'<p style="margin:0"><span style="font-size:12pt">{body}</span></p>'
    return f"<{tag}{spans}{style}>{inner}</{tag}>"


def render_html(seed: Path, tables: list[Published], path: Path) -> list[str]:
    front = front_matter(seed)
    title = html.escape(front[-1])
    out = [
        "<!DOCTYPE html>\n<html><head>",
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        f"<title>{title}</title><style>td{{font-family:SimSun}}</style></head>",
        '<body><div class="article">',
        *(f'<p style="text-align:center">{html.escape(line)}</p>' for line in front[:-1]),
        f'<h1 style="text-align:center">{title}</h1>',
        f'<p style="text-indent:2em">{FILLER}</p>',
    ]
    text = [front[-1], *front, FILLER]
    for number, table in enumerate(tables):
        caption = html.escape(table.source.caption or "")
        if number % 2:
            out.append(f'<table border="1" cellspacing="0"><caption>{caption}</caption>')
        else:
            text.append(table.source.caption or "")
            out.append(f'<p style="text-align:center"><strong>{caption}</strong></p>')
            out.append('<table border="1" cellspacing="0" style="border-collapse:collapse">')
        for r, row in enumerate(table.texts):
            if r == 0:
                out.append("<thead>")
            elif r == 1:
                out.append("<tbody>")
            cells = [_html_cell(table, r, c) for c in range(len(row)) if (r, c) not in table.origin]
            out.append("  <tr>\n    " + "\n    ".join(cells) + "\n  </tr>")
            if r == 0:
                out.append("</thead>")
        out.append("</tbody></table>")
        out.append(f"<p>{FILLER}</p>")
        text.append(FILLER)
    out.append("</div></body></html>\n")
    path.write_text("\n".join(out), encoding="utf-8")
    return text


# --- DOCX -------------------------------------------------------------------------------------


def render_docx(seed: Path, tables: list[Published], path: Path) -> list[str]:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    front = front_matter(seed)
    for line in front[:-1]:
        document.add_paragraph(line)
    document.add_heading(front[-1], level=1)
    document.add_paragraph(FILLER)
    running = [*front, FILLER]
    for table in tables:
        running += [table.source.caption or "", FILLER]
        document.add_paragraph(table.source.caption or "")
        grid = document.add_table(rows=len(table.texts), cols=table.width)
        grid.style = "Table Grid"
        header = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header.append(repeat)
        for r, row in enumerate(table.texts):
            for c, text in enumerate(row):
                if (r, c) in table.origin:
                    continue
                rowspan, colspan = table.span(r, c)
                cell = grid.cell(r, c)
                if (rowspan, colspan) != (1, 1):
                    cell = cell.merge(grid.cell(r + rowspan - 1, c + colspan - 1))
                cut = _wrap_at(text)
                run = cell.paragraphs[0].add_run(text[:cut] if cut else text)
                if cut:
                    run.add_break()
                    cell.paragraphs[0].add_run(text[cut:])
        document.add_paragraph(FILLER)
    document.save(str(path))
    return running


# --- PDF --------------------------------------------------------------------------------------


def _pdf_widths(table: Published, total: float) -> list[float]:
    """Column widths by the longest text in each column (labels wrap, numbers do not)."""
    longest = [max(min(len(row[c]), 14) for row in table.texts) + 2 for c in range(table.width)]
    return [total * n / sum(longest) for n in longest]


def render_pdf(seed: Path, tables: list[Published], path: Path) -> list[str]:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", str(CJK_FONT), subfontIndex=0))
    text = ParagraphStyle("cjk", fontName="WQY", fontSize=10, leading=13, wordWrap="CJK")
    heading = ParagraphStyle("h", parent=text, fontSize=15, leading=20)
    front = front_matter(seed)
    story: list = [Paragraph(html.escape(line), text) for line in front[:-1]]
    story += [Paragraph(html.escape(front[-1]), heading), Paragraph(FILLER, text)]
    lines = [*front, FILLER]
    doc = SimpleDocTemplate(str(path), pagesize=A4)
    for number, table in enumerate(tables):
        if number:
            story.append(PageBreak())
        story.append(Paragraph(html.escape(table.source.caption or ""), text))
        lines += [table.source.caption or "", FILLER]
        widths = _pdf_widths(table, doc.width)
        starts = [1, *sorted(page_breaks(len(table.texts))), len(table.texts)]
        for part, (first, end) in enumerate(zip(starts, starts[1:], strict=False)):
            if part:
                story.append(PageBreak())
            rows = [0, *range(first, end)]
            data = [
                [Paragraph(html.escape(table.texts[r][c]), text) for c in range(table.width)]
                for r in rows
            ]
            style = [
                ("GRID", (0, 0), (-1, -1), 0.6, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
            for i, r in enumerate(rows):
                for c in range(table.width):
                    if (r, c) not in table.origin:
                        rowspan, colspan = table.span(r, c)
                        if (rowspan, colspan) != (1, 1):
                            style.append(("SPAN", (c, i), (c + colspan - 1, i + rowspan - 1)))
            story.append(Table(data, colWidths=widths, style=TableStyle(style)))
        story.append(Paragraph(FILLER, text))
    doc.build(story)
    return lines


# --- XLSX and CSV -----------------------------------------------------------------------------

_NUMBER = re.compile(r"(0|[1-9][0-9]*)(?:\.([0-9]+))?(%?)")
HIDDEN_NOTE = "内部备注：不公开"  # in a hidden column and a hidden sheet: never read
CSV_SHIFT = 1  # the second table starts one column right: a reader cuts it to its columns


@dataclass
class SheetPlan:
    """One sheet as typeset: one-cell text rows and tables, each at its first row (1-based)."""

    name: str
    text: dict[int, str] = field(default_factory=dict)
    tables: list[tuple[int, Published]] = field(default_factory=list)
    rows: int = 0  # rows used so far

    def line(self, text: str = "") -> None:
        self.rows += 1
        if text:
            self.text[self.rows] = text

    def table(self, table: Published) -> None:
        self.tables.append((self.rows + 1, table))
        self.rows += len(table.texts)


def sheet_plans(seed: Path, tables: list[Published]) -> list[SheetPlan]:
    """The workbook: the front matter, a filler line and the first table on the first sheet,
    each further table on a sheet of its own; a caption above each table, a blank row and a
    filler line under it."""
    first = SheetPlan("规划指标")
    for line in [*front_matter(seed), FILLER, ""]:
        first.line(line)
    sheets = [first]
    for number, table in enumerate(tables):
        if number:
            sheets.append(SheetPlan(f"表{number + 1}"))
        sheets[-1].line(table.source.caption or "")
        sheets[-1].table(table)
        sheets[-1].line()
        sheets[-1].line(FILLER)
    return sheets


def sheet_table_starts(seed: Path, tables: list[Published]) -> list[tuple[str, int, Published]]:
    """(sheet, first row, table) of each table in the workbook (1-based rows, column A)."""
    return [(s.name, top, table) for s in sheet_plans(seed, tables) for top, table in s.tables]


def _sheet_text(seed: Path, tables: list[Published]) -> list[str]:
    return [*front_matter(seed), FILLER] + [
        text for table in tables for text in (table.source.caption or "", FILLER)
    ]


def _wrapped(text: str, r: int, c: int) -> str:
    """Every other long label wrapped over two lines inside its cell."""
    cut = _wrap_at(text)
    return f"{text[:cut]}\n{text[cut:]}" if cut is not None and (r + c) % 2 else text


def _xlsx_table(sheet, top: int, table: Published) -> None:  # sheet: openpyxl Worksheet
    """A table's cells from row `top`, column A: numbers as numbers with the number format that
    shows them as written, labels wrapped, merged ranges."""
    from openpyxl.styles import Alignment

    for r, row in enumerate(table.texts):
        for c, text in enumerate(row):
            if (r, c) in table.origin or not text:
                continue
            cell = sheet.cell(top + r, 1 + c)
            number = _NUMBER.fullmatch(text)
            if number:
                _, decimals, percent = number.groups()
                value = float(text.rstrip("%")) / (100 if percent else 1)
                cell.value = value if decimals or percent else int(value)
                places = "." + "0" * len(decimals) if decimals else ""
                cell.number_format = f"0{places}{percent}" if decimals or percent else "General"
            else:
                cell.value = _wrapped(text, r, c)
                cell.alignment = Alignment(wrap_text="\n" in cell.value)
            rowspan, colspan = table.span(r, c)
            if (rowspan, colspan) != (1, 1):
                sheet.merge_cells(
                    start_row=top + r,
                    start_column=1 + c,
                    end_row=top + r + rowspan - 1,
                    end_column=c + colspan,
                )


def render_xlsx(seed: Path, tables: list[Published], path: Path) -> list[str]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for number, plan in enumerate(sheet_plans(seed, tables)):
        sheet = workbook.create_sheet(plan.name)
        for row, text in plan.text.items():
            sheet.cell(row, 1, text)
        for top, table in plan.tables:
            _xlsx_table(sheet, top, table)
        if number == 0:  # the title merged across; a hidden column of notes by the table
            title, (top, table) = len(front_matter(seed)), plan.tables[0]
            sheet.merge_cells(start_row=title, start_column=1, end_row=title, end_column=6)
            hidden = table.width + 2
            for row in (top + 1, top + 2):
                sheet.cell(row, hidden, HIDDEN_NOTE)
            sheet.column_dimensions[get_column_letter(hidden)].hidden = True
    notes = workbook.create_sheet("内部")
    notes.append([HIDDEN_NOTE, HIDDEN_NOTE])
    notes.sheet_state = "hidden"
    workbook.save(path)
    return _sheet_text(seed, tables)


def csv_rows(seed: Path, tables: list[Published]) -> list[list[str]]:
    """The CSV's records: every sheet's rows one after the other with a blank row between,
    a merge's covered cells empty, the second table and its lines shifted right."""
    records: list[list[str]] = []
    for number, plan in enumerate(sheet_plans(seed, tables)):
        shift = [""] * (CSV_SHIFT if number == 1 else 0)
        rows: list[list[str]] = [[] for _ in range(plan.rows)]
        for row, text in plan.text.items():
            rows[row - 1] = [*shift, text]
        for top, table in plan.tables:
            for r, texts in enumerate(table.texts):
                rows[top - 1 + r] = shift + [_wrapped(t, r, c) for c, t in enumerate(texts)]
        records += [*rows, []]
    return records


def render_csv(seed: Path, tables: list[Published], path: Path) -> list[str]:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(csv_rows(seed, tables))
    path.write_text(out.getvalue(), encoding="utf-8-sig")  # Excel's "CSV UTF-8"
    return _sheet_text(seed, tables)


RENDERERS = {
    "html": render_html,
    "docx": render_docx,
    "pdf": render_pdf,
    "xlsx": render_xlsx,
    "csv": render_csv,
}


def render_seed(seed: Path, out_dir: Path, fmt: str) -> Rendering:
    """Render one seed plan in one format; return the file and the tables it must give back."""
    breaks = page_breaks if fmt == "pdf" else (lambda rows: frozenset())
    tables = [publish(grid, page_breaks=breaks(len(grid.rows))) for grid in seed_grids(seed)]
    path = out_dir / f"{seed.stem}.{fmt}"
    text = RENDERERS[fmt](seed, tables, path)
    return Rendering(seed=seed, path=path, format=fmt, tables=tables, text=text)


def render_corpus(
    seeds: list[Path], out_dir: Path, formats: tuple[str, ...] = FORMATS
) -> list[Rendering]:
    """Every seed in every format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [render_seed(seed, out_dir, fmt) for seed in seeds for fmt in formats]


@functools.cache
def seed_corpus() -> list[Rendering]:
    """The repository's seed plans in every format, rendered once per process (tests share it)."""
    out_dir = Path(tempfile.mkdtemp(prefix="eduplan-formats-"))
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)
    return render_corpus(sorted(PLANS_DIR.glob("*.txt")), out_dir)


@functools.cache
def sheet_corpus() -> list[Rendering]:
    """The seed plans as .xlsx and .csv, rendered once per process."""
    out_dir = Path(tempfile.mkdtemp(prefix="eduplan-sheets-"))
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)
    return render_corpus(sorted(PLANS_DIR.glob("*.txt")), out_dir, SHEET_FORMATS)


if __name__ == "__main__":
    every = FORMATS + SHEET_FORMATS
    for rendering in render_corpus(sorted(PLANS_DIR.glob("*.txt")), Path(sys.argv[1]), every):
        print(rendering.path)

"""Spreadsheets (.xlsx, .csv): every seed typeset as a workbook and as a CSV reads back to the
seed's grids and, through the one semantic layer, to the seed's own cells (257 value cells and 34
milestones), every cell citing the sheet, row and column it sits in."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from flows.extract import PlanTableError, extract_document, extract_laid_out
from flows.extract.formats import read_laid_out
from flows.extract.formats.cells import clean_text
from flows.extract.formats.xlsx import cell_text
from tests.conftest import PLANS_DIR
from tests.corpus.render_formats import (
    CSV_SHIFT,
    HIDDEN_NOTE,
    SHEET_FORMATS,
    csv_rows,
    sheet_corpus,
    sheet_table_starts,
)
from tests.extract.test_extract_formats_cells import CELL_FIELDS, MILESTONE_FIELDS, _rows

SEEDS = sorted(PLANS_DIR.glob("*.txt"))
CASES = [(seed.stem, fmt) for seed in SEEDS for fmt in SHEET_FORMATS]


@pytest.fixture(scope="module")
def corpus():
    return {(r.seed.stem, r.format): (r, read_laid_out(r.path)) for r in sheet_corpus()}


@pytest.mark.parametrize(("seed", "fmt"), CASES)
def test_reader_gives_back_the_seed_grids(corpus, seed: str, fmt: str) -> None:
    """xlsx: the texts once merges are undone, and the merges; csv: the texts as exported (a
    merge's covered cells empty), no merges. Captions from the row above each table."""
    rendering, document = corpus[(seed, fmt)]
    assert document.format == fmt and document.doc == rendering.path.name
    assert len(document.grids) == len(rendering.tables)
    for grid, table in zip(document.grids, rendering.tables, strict=True):
        texts = [[cell.text for cell in row] for row in grid.rows]
        merges = {
            (r, c): cell.merged_from
            for r, row in enumerate(grid.rows)
            for c, cell in enumerate(row)
            if cell.merged_from is not None
        }
        if fmt == "xlsx":
            effective = [
                [
                    grid.rows[c.merged_from[0]][c.merged_from[1]].text if c.merged_from else c.text
                    for c in row
                ]
                for row in grid.rows
            ]
            assert effective == table.effective()
            assert merges == table.origin
        else:
            assert texts == table.texts
            assert merges == {}
        assert grid.caption == table.source.caption


@pytest.mark.parametrize(("seed", "fmt"), CASES)
def test_reader_gives_back_the_running_text_in_order(corpus, seed: str, fmt: str) -> None:
    rendering, document = corpus[(seed, fmt)]
    assert [block.text for block in document.text] == rendering.text
    seen = [b.text for b in document.text] + [
        c.text for g in document.grids for row in g.rows for c in row
    ]
    assert HIDDEN_NOTE not in seen  # hidden column and hidden sheet (xlsx)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_xlsx_cells_cite_sheet_row_and_column(corpus, seed: Path) -> None:
    rendering, document = corpus[(seed.stem, "xlsx")]
    starts = sheet_table_starts(seed, rendering.tables)
    for number, (grid, (sheet, top, _)) in enumerate(zip(document.grids, starts, strict=True), 1):
        assert (grid.ref.sheet, grid.ref.table, grid.ref.row) == (sheet, number, top)
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                assert (cell.ref.sheet, cell.ref.row, cell.ref.column) == (sheet, top + r, 1 + c)
        assert str(grid.rows[0][0].ref) == f"sheet {sheet}, row {top}, column 1"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_csv_cells_cite_row_and_column(corpus, seed: Path) -> None:
    rendering, document = corpus[(seed.stem, "csv")]
    records = csv_rows(seed, rendering.tables)
    for number, grid in enumerate(document.grids):
        left = CSV_SHIFT if number == 1 else 0
        for row in grid.rows:
            for c, cell in enumerate(row):
                assert cell.ref.sheet is None and cell.ref.column == left + c + 1
                record = records[cell.ref.row - 1]
                written = record[left + c] if left + c < len(record) else ""
                assert clean_text(written) == cell.text


@pytest.mark.parametrize(("seed", "fmt"), CASES)
def test_rendering_extracts_to_the_seed_cells(corpus, seed: str, fmt: str) -> None:
    """The seed's own cells and milestones, in order; each value cites the rendering's cell
    that prints it (read back from the file, not from the reader)."""
    rendering, _ = corpus[(seed, fmt)]
    expected = extract_document(PLANS_DIR / f"{seed}.txt")
    got = extract_document(rendering.path)
    assert _rows(got.cells, CELL_FIELDS) == _rows(expected.cells, CELL_FIELDS)
    assert _rows(got.milestones, MILESTONE_FIELDS) == _rows(expected.milestones, MILESTONE_FIELDS)
    printed = _printed(rendering.path)
    for cell in got.cells:
        assert cell.line is None and printed[cell.source_ref] == cell.raw_value, cell
    for milestone in got.milestones:
        assert printed[milestone.source_ref] == milestone.milestone_text


def _printed(path: Path) -> dict[str, str]:
    """Every non-empty cell of the file as `its source ref -> what it shows`."""
    if path.suffix == ".csv":
        records = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        return {
            f"row {r}, column {c}": clean_text(text)
            for r, record in enumerate(records, 1)
            for c, text in enumerate(record, 1)
            if text
        }
    workbook = openpyxl.load_workbook(path)
    return {
        f"sheet {sheet.title}, row {cell.row}, column {cell.column}": cell_text(
            cell.value, cell.number_format
        )
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def test_every_sheet_format_gives_all_seed_cells(corpus) -> None:
    for fmt in SHEET_FORMATS:
        documents = [extract_laid_out(corpus[(s.stem, fmt)][1]) for s in SEEDS]
        assert sum(len(d.cells) for d in documents) == 257
        assert sum(len(d.milestones) for d in documents) == 34


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (0.25, "0.000", "0.250"),
        (0.955, "0.0%", "95.5%"),
        (0.95, "0%", "95%"),
        (1200, "#,##0", "1,200"),
        (92.5, "General", "92.5"),
        (95.0, "General", "95"),
        (0.1 + 0.2, "General", "0.3"),
        (2025, "General", "2025"),
        (2.675, "0.00", "2.68"),  # Excel rounds half away from zero on the decimal digits
        (0.5, "0.00_ ", "0.50"),
        (1234.5, "#,##0.00_);[Red](#,##0.00)", "1,234.50"),
        (0.5, "[$-804]0.0%;[Red]-0.0%", "50.0%"),
        (-3, "0.0", "-3.0"),
        ("  普惠性\n幼儿园  ", "General", "普惠性幼儿园"),
        (None, "General", ""),
    ],
)
def test_an_xlsx_cell_reads_as_excel_shows_it(value, number_format: str, shown: str) -> None:
    assert cell_text(value, number_format) == shown


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_bad_spreadsheets_are_clear_errors(tmp_path: Path) -> None:
    cases = {
        "old.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old binary .xls"),
        "text.xlsx": ("指标,2025年\n".encode(), "not an .xlsx workbook"),
        "gbk.csv": ("标题\n指标,2025年\n学前教育,95\n".encode("gbk"), ":1: not UTF-8"),
    }
    for name, (data, said) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(PlanTableError) as error:
            extract_document(tmp_path / name)
        assert name in str(error.value) and said in str(error.value), str(error.value)
    lonely = _workbook(tmp_path / "lonely.xlsx", [["只有一行标题"], [], ["没有表格"]])
    with pytest.raises(PlanTableError, match="lonely.xlsx.*no table in the workbook"):
        read_laid_out(lonely)
    # the extractor reads a workbook without a grid by meaning too; nothing there: an error
    with pytest.raises(PlanTableError, match="lonely.xlsx.*no indicator table"):
        extract_document(lonely)


def test_other_contracts_csv_in_raw_plans_is_told_where_it_belongs(tmp_path: Path) -> None:
    """An actuals CSV or plan_cells.csv put among the plans is not read as a plan table."""
    actuals = tmp_path / "published_actuals.csv"
    actuals.write_text(
        "region,indicator,breakdown,year,value,unit,source_url,source_title\n"
        "绍兴市,学校数,,2022,10,所,https://example.gov.cn/a,公报\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanTableError, match=r"published_actuals.csv:1: .*put it in raw/actuals/"):
        extract_document(actuals)
    cells = tmp_path / "plan_cells.csv"
    cells.write_text(
        "doc,table,indicator,year,role,raw_value,comparator,value,source_ref\n"
        "a.txt,1,学校数,2025,target,10,=,10,line 3\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanTableError, match=r"plan_cells.csv:1: .*name it NAME.cells.csv"):
        extract_document(cells)


def test_a_spacer_row_does_not_end_a_table_but_a_new_header_does(tmp_path: Path) -> None:
    header = ["指标", "单位", "2020年", "2025年", "属性"]
    rows = [
        ["学前三年毛入园率", "%", "98", "99", "预期性"],
        ["义务教育巩固率", "%", "99", "100", "约束性"],
        ["高中段毛入学率", "%", "97", "98", "预期性"],
    ]
    sheet = [["某市教育事业发展“十四五”规划"], [], header, rows[0], [], rows[1], [], []]
    sheet += [header, rows[2]]
    path = _workbook(tmp_path / "spaced.xlsx", sheet)
    document = read_laid_out(path)
    assert [len(grid.rows) for grid in document.grids] == [3, 2]
    assert [c.ref.row for c in document.grids[0].rows[2]][:1] == [6]  # cites its own row
    cells = extract_document(path).cells
    assert [(c.indicator, c.year, c.value, c.source_ref) for c in cells if c.year == 2025] == [
        ("学前三年毛入园率", 2025, "99", "sheet Sheet, row 4, column 4"),
        ("义务教育巩固率", 2025, "100", "sheet Sheet, row 6, column 4"),
        ("高中段毛入学率", 2025, "98", "sheet Sheet, row 10, column 4"),
    ]


def test_a_plan_table_csv_among_the_actuals_is_rejected_not_loaded(corpus) -> None:
    """The other way round: raw/actuals/ checks its header, so a plan table saved as CSV there
    is rejected whole (missing_column), never landed as figures."""
    from flows.load.actuals_contract import ActualsContractError, inspect_file

    rendering, _ = corpus[(SEEDS[0].stem, "csv")]
    with pytest.raises(ActualsContractError) as error:
        inspect_file(rendering.path, rendering.path.name)
    assert error.value.reason == "missing_column" and error.value.line == 1


def test_a_title_merged_over_the_whole_row_and_a_stray_far_cell(tmp_path: Path) -> None:
    """A1:XFD1 merged and a value in XFD1048576: read from the cells the file holds (merges cut
    at the last filled column, runs of empty rows as one blank row), never the whole rectangle
    of 17 billion cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["某市教育事业发展“十四五”规划"])
    sheet.merge_cells("A1:XFD1")
    sheet.append(["指标", "2020年", "2025年"])
    sheet.append(["学前三年毛入园率", "98", "99"])
    sheet["XFD1048576"] = "远处的备注"
    workbook.save(tmp_path / "far.xlsx")
    document = read_laid_out(tmp_path / "far.xlsx")
    assert [b.text for b in document.text] == ["某市教育事业发展“十四五”规划", "远处的备注"]
    assert str(document.text[1].ref) == "sheet Sheet, row 1048576, column 16384"
    cells = extract_document(tmp_path / "far.xlsx").cells
    assert [(c.year, c.value, c.source_ref) for c in cells] == [
        (2020, "98", "sheet Sheet, row 3, column 2"),
        (2025, "99", "sheet Sheet, row 3, column 3"),
    ]

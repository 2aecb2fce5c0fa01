"""Hand-keyed plan cells (`raw/plans/NAME.cells.csv`): `eduplan extract --out`'s plan_cells.csv
reads back to the same cells; a file breaking the contract is refused whole with every problem
as `file:line: what was wrong`."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from flows.cli import main
from flows.extract import extract_document
from flows.extract.keyed import KeyedCellsError, read_keyed
from flows.extract.output import PLAN_CELL_SCHEMA
from flows.extract.plan_files import metadata_path, plan_files, plan_stem
from flows.load.plans import plan_source
from tests.conftest import PLANS_DIR

HEADER = "table,indicator,breakdown,unit,year,role,raw_value,comparator,value,attribute,source_ref"
GOOD = "1,毛入园率,,%,2025,target,≥99,>=,99,预期性,page 3"
TOML = 'region_code = "330481"\nregion_name = "海宁市"\n'


def keyed(folder: Path, name: str, lines: list[str], *, toml: str = TOML) -> Path:
    path = folder / f"{name}.cells.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / f"{name}.toml").write_text(toml, encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", sorted(PLANS_DIR.glob("*.txt")), ids=lambda p: p.stem)
def test_extract_out_reads_back_as_the_same_cells(seed: Path, tmp_path: Path) -> None:
    """extract --out -> NAME.cells.csv -> the same cells, tables dated the same; each cell cites
    its line in the keyed file and, in source_ref, the document's own position."""
    assert main(["extract", str(seed), "--out", str(tmp_path / "out")]) == 0
    original = extract_document(seed)
    path = tmp_path / f"{seed.stem}.cells.csv"
    shutil.copy(tmp_path / "out" / "plan_cells.csv", path)
    shutil.copy(seed.with_suffix(".toml"), tmp_path)
    if not original.cells:  # a schedule only: nothing to key in plan_cells.csv
        with pytest.raises(KeyedCellsError, match=r"\.cells\.csv:2: no rows"):
            read_keyed(path)
        return
    read = read_keyed(path)
    same = [n for n in PLAN_CELL_SCHEMA if n not in ("doc", "line", "source_ref")]
    assert [[getattr(c, n) for n in same] for c in read.cells] == [
        [getattr(c, n) for n in same] for c in original.cells
    ]
    records = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for cell, was in zip(read.cells, original.cells, strict=True):
        assert cell.doc == path.name and cell.source_ref == f"{seed.name}: {was.source_ref}"
        assert records[cell.line - 2]["source_ref"] == was.source_ref  # the header is line 1
    periods = {t.table: (t.period_start_year, t.period_end_year) for t in original.tables}
    assert {t.table: (t.period_start_year, t.period_end_year) for t in read.tables} == periods
    assert read.facts.region_code == original.facts.region_code
    assert plan_source(path).plan_id == seed.stem


BROKEN = {  # a row after the header -> (line, what the refusal says)
    "1,毛入园率,,%,20x5,target,≥99,>=,99,预期性,page 3": "year '20x5' is not a 4-digit",
    "1,毛入园率,,%,2025,goal,≥99,>=,99,预期性,page 3": "role 'goal' is not one of",
    "1,毛入园率,,%,2025,target,≥99,≈,99,预期性,page 3": "comparator '≈' is not one of",
    "1,毛入园率,,%,2025,target,≥99,>=,99%,预期性,page 3": "value '99%' is not a plain",
    "1,毛入园率,,%,2025,target,≥99,,99,预期性,page 3": "value 99 has no comparator",
    "1,毛入园率,,%,2025,target,≥99,,,预期性,page 3": "holds a number but value is empty",
    "1,毛入园率,,%,2025,target,,,,预期性,page 3": "raw_value is empty",
    "1,毛入园率,,%,2025,target,≥99,>=,99,必须性,page 3": "attribute '必须性' is not one of",
    "1,毛入园率,,%,2025,target,≥99,>=,99,预期性,": "source_ref is empty",
    "x,毛入园率,,%,2025,target,≥99,>=,99,预期性,page 3": "table 'x' is not a positive",
    "1,,,%,2025,target,≥99,>=,99,预期性,page 3": "indicator is empty",
    "1,毛入园率,,%,2025,target,≥99,>=,99,预期性": "10 fields, the header has 11",
    "1,毛入园率,,%,2040,milestone,≥99,>=,99,预期性,page 3": "year 2040 is outside",
}


@pytest.mark.parametrize(("row", "said"), BROKEN.items(), ids=list(BROKEN.values()))
def test_a_broken_row_refuses_the_file_naming_file_line_and_reason(
    tmp_path: Path, row: str, said: str
) -> None:
    path = keyed(tmp_path, "plan", [HEADER, GOOD, row])
    with pytest.raises(KeyedCellsError) as error:
        read_keyed(path)
    assert str(error.value).startswith(f"{path}:3: ")
    assert said in str(error.value) and "refused whole" in str(error.value)


def test_every_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    rows = list(BROKEN)[:3]
    path = keyed(tmp_path, "plan", [HEADER, *rows, GOOD])
    with pytest.raises(KeyedCellsError) as error:
        read_keyed(path)
    text = str(error.value)
    for line, said in zip((2, 3, 4), list(BROKEN.values())[:3], strict=True):
        assert f"{path}:{line}: {said}" in text


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (
            "table,indicator,year,role,raw_value,comparator,value",
            "missing required column(s) source_ref",
        ),
        (HEADER + ",valeu", "'valeu' is not a column of plan_cells.csv"),
        (HEADER + ",year", "'year' appears twice"),
    ],
)
def test_a_bad_header_refuses_the_file_at_line_1(tmp_path: Path, header: str, said: str) -> None:
    path = keyed(tmp_path, "plan", [header, GOOD])
    with pytest.raises(KeyedCellsError, match=":1: .*") as error:
        read_keyed(path)
    assert said in str(error.value)


def test_file_level_problems(tmp_path: Path) -> None:
    """Duplicate cells, rows of two documents, no region in NAME.toml, a table with no period,
    a GBK file: each names the file (and line)."""
    dup = "doc,table,row_order," + HEADER.removeprefix("table,")
    row = "a.pdf,1,1," + GOOD.removeprefix("1,")
    cases = {
        "dup": (
            [dup, row, row],
            TOML,
            ":3: same table, row_order, breakdown, year and role as line 2",
        ),
        "docs": (
            [dup, row, "b.pdf,1,2," + GOOD.removeprefix("1,")],
            TOML,
            ":2: rows of 2 documents (a.pdf, b.pdf)",
        ),
        "noregion": (
            [HEADER, GOOD],
            'region_name = "海宁市"\n',
            ": noregion.toml beside it gives no region_code",
        ),
        "noperiod": (
            [HEADER, GOOD.replace("target", "actual")],
            TOML,
            ":2: table 1 has no target year",
        ),
    }
    for name, (lines, toml, said) in cases.items():
        path = keyed(tmp_path, name, lines, toml=toml)
        with pytest.raises(KeyedCellsError) as error:
            read_keyed(path)
        assert f"{path}{said}" in str(error.value), str(error.value)
    gbk = tmp_path / "gbk.cells.csv"
    gbk.write_bytes(f"{HEADER}\n{GOOD}\n".encode("gbk"))
    with pytest.raises(KeyedCellsError, match=r"gbk.cells.csv:2: not UTF-8"):
        read_keyed(gbk)


def test_an_actual_row_without_targets_takes_the_period_from_the_toml(tmp_path: Path) -> None:
    toml = TOML + "period_start_year = 2021\nperiod_end_year = 2025\n"
    path = keyed(tmp_path, "reported", [HEADER, GOOD.replace("target", "actual")], toml=toml)
    document = extract_document(path)  # the same entry point as every plan file
    assert [(c.role, c.year, c.value, c.comparator) for c in document.cells] == [
        ("actual", 2025, "99", ">=")
    ]
    assert (document.tables[0].period_start_year, document.facts.period_end_year) == (2021, 2025)


def test_keyed_cells_stand_for_the_document_of_the_same_name(tmp_path: Path) -> None:
    names = ["a.pdf", "a.cells.csv", "a.toml", "b.xlsx", "c.csv", "notes.txt.bak"]
    paths = [tmp_path / n for n in names]
    read, set_aside = plan_files(paths, [".txt", ".pdf", ".xlsx", ".csv"])
    assert [p.name for p in read] == ["a.cells.csv", "b.xlsx", "c.csv"]
    assert [p.name for p in set_aside] == ["a.pdf"]
    assert plan_stem(tmp_path / "a.cells.csv") == "a" == plan_stem(tmp_path / "a.pdf")
    assert metadata_path(tmp_path / "a.cells.csv") == tmp_path / "a.toml"


def test_explain_shows_the_tables_or_every_problem(tmp_path: Path, capsys) -> None:
    good = keyed(tmp_path, "good", [HEADER, GOOD, GOOD.replace("2025,target", "2020,baseline")])
    assert main(["extract", "--explain", str(good)]) == 0
    shown = capsys.readouterr().out
    assert (
        "1 cells" not in shown
        and "table 1: period 2021-2025, 2 cells (1 target, 1 baseline)" in shown
    )
    bad = keyed(tmp_path, "bad", [HEADER, *list(BROKEN)[:2]])
    assert main(["extract", "--explain", str(bad)]) == 1
    shown = capsys.readouterr().out
    assert f"{bad}:2: year '20x5'" in shown and f"{bad}:3: role 'goal'" in shown

"""One bad file never stops the night, and what left raw/ leaves the record (issue 21, items
3 and 4): file names that are not UTF-8 (GBK bytes left by unzip), Excel's trailing empty
header cells, `.CSV` / `.xlsx` / subfolders, and a sequence of nights with rejected files whose
loads must equal a fresh load of the same folder. Loader-level: real DuckDB files, no dbt (the
quarantine mart reads exactly the state compared here: each file's latest load outcome)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.load.actuals import load_actuals
from flows.nightly import extract_plans
from tests.conftest import PLANS_DIR
from tests.reliability.hostile_corpus import HEADER, ROW

GBK_NAME = "中文统计.csv".encode("gbk")  # b'\xd6\xd0\xce\xc4...': what unzip leaves
GBK_SHOWN = GBK_NAME.decode("utf-8", "backslashreplace")

pytestmark = pytest.mark.reliability


def _audit(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(
        "select file, status, reason, detail, rows_in from raw.actuals_load_audit "
        "where status <> 'skipped' order by loaded_at, rowid"
    ).fetchall()
    return {file: (status, reason, detail, n) for file, status, reason, detail, n in rows}


def _write_gbk_named(folder: Path, body: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(bytes(folder) + b"/" + GBK_NAME, "wb") as handle:
        handle.write(body)


def test_an_actuals_file_named_in_gbk_is_refused_by_name_and_the_rest_loads(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "actuals"
    _write_gbk_named(folder, f"{HEADER}\n{ROW}\n".encode())
    (folder / "good.csv").write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = load_actuals(con, folder)
    audit = _audit(con)
    assert audit["good.csv"][0] == "loaded"
    status, reason, detail, _ = audit[GBK_SHOWN]
    assert (status, reason) == ("rejected", "not_utf8")
    assert detail.startswith(GBK_SHOWN) and "\\xd6\\xd0" in detail and "name" in detail
    assert result.files_rejected == 1 and result.files_loaded == 1
    load_actuals(con, folder)  # the next night: still refused, not "removed", no error
    assert _audit(con)[GBK_SHOWN][0] == "rejected"


def test_a_plan_named_in_gbk_is_refused_by_name_and_the_other_plans_are_read(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    good = sorted(PLANS_DIR.glob("*.txt"))[0]
    shutil.copy(good, folder / good.name)
    shutil.copy(good.with_suffix(".toml"), folder / good.with_suffix(".toml").name)
    with open(bytes(folder) + b"/" + "规划.txt".encode("gbk"), "wb") as handle:
        handle.write(good.read_bytes())
    documents, sources, errors, warnings = extract_plans.fn(folder)
    assert errors == [] and list(sources) == [good.name] and len(documents) == 1
    (refused,) = [w for w in warnings if "UTF-8" in w]
    assert "规划.txt".encode("gbk").decode("utf-8", "backslashreplace") in refused


def test_excel_trailing_empty_header_cells_are_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "actuals"
    folder.mkdir()
    (folder / "excel.csv").write_text(f"{HEADER},,,\n{ROW},,,\n{ROW.replace('2023', '2024')},,,\n",
                                      encoding="utf-8")  # fmt: skip
    (folder / "middle.csv").write_text(f"region,,,{HEADER[7:]}\n", encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_actuals(con, folder)
    audit = _audit(con)
    assert audit["excel.csv"][0] == "loaded" and audit["excel.csv"][3] == 2, audit["excel.csv"]
    rows = con.execute("select year, value, source_title from raw.actuals order by year").fetchall()
    assert rows == [("2023", "85.1", "统计公报"), ("2024", "85.1", "统计公报")]
    assert audit["middle.csv"][:2] == ("rejected", "not_csv"), "an empty name mid-header is bad"


def test_upper_case_csv_is_read_workbooks_refused_subfolders_said(tmp_path: Path) -> None:
    folder = tmp_path / "actuals"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "inside.csv").write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    (folder / "UPPER.CSV").write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    (folder / "book.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "notes.md").write_text("not an input", encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = load_actuals(con, folder)
    audit = _audit(con)
    assert audit["UPPER.CSV"][:1] == ("loaded",)
    assert audit["book.xlsx"][:2] == ("rejected", "not_csv") and "CSV" in audit["book.xlsx"][2]
    assert "notes.md" not in audit
    (note,) = result.notes
    assert "2024" in note and "not read" in note


def _state(con: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    """What dbt reads: each file's latest outcome (rejected files feed the quarantine) and the
    rows landed."""
    outcomes = con.execute(
        """
        with latest as (
            select file, status, reason, detail from raw.actuals_load_audit
            where status <> 'skipped'
            qualify row_number() over (partition by file order by loaded_at desc, rowid desc) = 1
        )
        select file, status, reason, detail from latest where status <> 'removed' order by file
        """
    ).fetchall()
    rows = con.execute(
        "select file, line, region, indicator, year, value from raw.actuals order by all"
    ).fetchall()
    return outcomes, rows


NIGHTS = [  # file -> content (None: deleted)
    {"good.csv": f"{HEADER}\n{ROW}\n", "bad.csv": "region,value\n1,2\n",
     "gbk.csv": (f"{HEADER}\n{ROW}\n", "gbk"), "empty.csv": ""},
    {"bad.csv": None, "empty.csv": None},  # the rejected files are deleted
    {"good.csv": "region,value\n", "other.csv": f"{HEADER}\n{ROW}\n"},  # good turns bad
    {"gbk.csv": None, "good.csv": None},
    {"good.csv": f"{HEADER}\n{ROW}\n{ROW.replace('2023', '2022')}\n"},  # back, fixed
]  # fmt: skip


def test_every_night_equals_a_fresh_load_of_the_same_folder(tmp_path: Path) -> None:
    folder = tmp_path / "actuals"
    folder.mkdir()
    nightly = duckdb.connect(str(tmp_path / "nightly.duckdb"))
    for number, changes in enumerate(NIGHTS, start=1):
        for name, content in changes.items():
            if content is None:
                (folder / name).unlink()
            elif isinstance(content, tuple):
                (folder / name).write_bytes(content[0].encode(content[1]))
            else:
                (folder / name).write_text(content, encoding="utf-8")
        load_actuals(nightly, folder)
        fresh = duckdb.connect(str(tmp_path / f"fresh-{number}.duckdb"))
        load_actuals(fresh, folder)
        assert _state(nightly) == _state(fresh), f"night {number}"
        fresh.close()


@pytest.mark.parametrize("name", ["a.csv", "b.CSV"])
def test_a_rejected_file_deleted_leaves_the_quarantine(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "actuals"
    folder.mkdir()
    (folder / name).write_text("no,header\n", encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_actuals(con, folder)
    assert _state(con)[0][0][:2] == (name, "rejected")
    (folder / name).unlink()
    result = load_actuals(con, folder)
    assert _state(con) == ([], []) and result.files_removed == 1


def _plans_folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "plans"
    folder.mkdir()
    good = sorted(PLANS_DIR.glob("*.txt"))[0]
    shutil.copy(good, folder / good.name)
    shutil.copy(good.with_suffix(".toml"), folder / good.with_suffix(".toml").name)
    return folder, folder / good.name


def _load(tmp_path: Path, folder: Path) -> tuple[list[str], list[str], int]:
    from flows.load.plans import load_plans

    documents, sources, errors, warnings = extract_plans.fn(folder)
    con = duckdb.connect(str(tmp_path / "plans.duckdb"))
    load_plans(con, documents, sources)
    (documents_loaded,) = con.execute("select count(*) from raw.plan_documents").fetchall()[0]
    return errors, warnings, documents_loaded


@pytest.mark.parametrize("copy", ["same_stem_md", "second_name"])
def test_the_same_plan_twice_is_loaded_once_naming_both(tmp_path: Path, copy: str) -> None:
    folder, plan = _plans_folder(tmp_path)
    other = folder / (f"{plan.stem}.md" if copy == "same_stem_md" else "copy-of-plan.txt")
    shutil.copy(plan, other)
    if copy == "second_name":
        shutil.copy(plan.with_suffix(".toml"), other.with_suffix(".toml"))
    errors, warnings, loaded = _load(tmp_path, folder)
    assert errors == [] and loaded == 1
    (said,) = [w for w in warnings if "same plan" in w]
    assert plan.name in said and other.name in said


def test_two_different_files_for_one_plan_id_are_refused_naming_both(tmp_path: Path) -> None:
    folder, plan = _plans_folder(tmp_path)
    text = plan.read_text(encoding="utf-8")
    (folder / f"{plan.stem}.md").write_text(text + "\n补充说明。\n", encoding="utf-8")
    errors, _, loaded = _load(tmp_path, folder)
    (said,) = errors
    assert plan.name in said and f"{plan.stem}.md" in said and "plan id" in said
    assert "aborted" not in said and loaded == 0


def test_a_duplicate_key_says_so_not_transaction_aborted(tmp_path: Path) -> None:
    """Without the rule (documents passed to the loader as they are), the database's own error
    is the one raised, not the "Current transaction is aborted" of the clean-up."""
    from flows.extract import extract_document
    from flows.load.plans import load_plans, plan_source

    folder, plan = _plans_folder(tmp_path)
    shutil.copy(plan, folder / f"{plan.stem}.md")
    documents = [extract_document(p) for p in (plan, folder / f"{plan.stem}.md")]
    sources = {p.name: plan_source(p) for p in (plan, folder / f"{plan.stem}.md")}
    con = duckdb.connect(str(tmp_path / "plans.duckdb"))
    with pytest.raises(duckdb.ConstraintException, match="duplicate key"):
        load_plans(con, documents, sources)


def _with_2035_column(source: Path, target: Path) -> None:
    """`source` (a tab-separated plan table) with a 2035 (远景) column after 2025."""
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 7:
            fields.insert(6, "2035年" if fields[5] == "2025年" else "60")
        lines.append("\t".join(fields))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(source.with_suffix(".toml"), target.with_suffix(".toml"))


def test_a_2035_column_or_a_plan_without_region_is_refused_by_name_not_the_night(
    tmp_path: Path,
) -> None:
    """The raw gate would refuse the whole night for either (a year outside the table's period;
    `e.g. None` for a missing region, naming no plan): each is refused by name before it, the
    other plans load and the gate passes."""
    from flows.load.plans import load_plans
    from flows.validate import validate_raw

    folder = tmp_path / "plans"
    folder.mkdir()
    _with_2035_column(PLANS_DIR / "jiaxing-2021-2025.txt", folder / "jiaxing-2021-2025.txt")
    shutil.copy(PLANS_DIR / "yuhang-2021-2025.txt", folder / "no-region.txt")  # no .toml
    for name in ("haining-2021-2025.txt", "haining-2021-2025.toml"):
        shutil.copy(PLANS_DIR / name, folder / name)
    documents, sources, errors, warnings = extract_plans.fn(folder)
    assert errors == []
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        load_plans(con, documents, sources)
    gate = validate_raw(database, gx_dir=tmp_path / "gx")
    assert gate.passed, gate.format()
    (table,) = [w for w in warnings if "year column(s) 2035" in w]
    assert "jiaxing-2021-2025.txt" in table and "table 1" in table and "2021-2025" in table
    (region,) = [w for w in warnings if "no-region.txt" in w]
    assert "region code" in region
    assert set(sources) == {"jiaxing-2021-2025.txt", "haining-2021-2025.txt"}
    jiaxing = next(d for d in documents if d.facts.doc == "jiaxing-2021-2025.txt")
    assert jiaxing.cells == [] and jiaxing.facts.region_code == "330400"

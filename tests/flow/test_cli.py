"""The command line: help for every command, extract to CSV, clear errors with exit codes."""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, build_parser, main
from tests.conftest import PLANS_DIR

COMMANDS = ["run", "extract", "serve", "rollback", "synth"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert f"usage: eduplan {command}" in capsys.readouterr().out


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {name: sub for action in actions for name, sub in action.choices.items()}


def test_every_command_and_option_says_what_it_is() -> None:
    """Every command has a description or help line, every option a help text (and a default
    that is not obvious is named in it), down to `names accept`."""
    commands = _subparsers(build_parser())
    commands |= {f"names {n}": sub for n, sub in _subparsers(commands["names"]).items()}
    missing = [
        f"{name} {' / '.join(action.option_strings or [action.dest])}"
        for name, sub in commands.items()
        for action in sub._actions
        if not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert missing == []
    assert all(sub.description or sub.format_usage() for sub in commands.values())
    assert "default: parquet" in commands["export"].format_help()
    assert "[accept]" in commands["names"].format_usage()  # optional: without it, names are listed


def test_explain_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """`eduplan extract --explain ... | head -2`: no "[Errno 32] Broken pipe" per document."""
    shown = subprocess.run(
        f"set -o pipefail; {Path(sys.executable).with_name('eduplan')} extract --explain "
        f"{PLANS_DIR}/*.txt | head -2",
        shell=True, executable="/bin/bash", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stderr == "" and len(shown.stdout.splitlines()) == 2


def test_bad_usage_exits_2() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--no-such-option"])
    assert exited.value.code == EXIT_USAGE


def test_console_script_help_is_fast_and_imports_no_heavy_library() -> None:
    code = (
        "import sys; from flows.cli import build_parser; build_parser().format_help(); "
        "print(sorted(m for m in ('prefect', 'dbt', 'great_expectations') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("variable", "value"), [("EDUPLAN_DUCKDB_MEMORY_LIMIT", "1GB'; drop"), ("EDUPLAN_KEEP", "x")]
)
def test_a_bad_setting_exits_1_naming_it_without_a_traceback(
    variable: str, value: str, tmp_path: Path
) -> None:
    env = {**os.environ, variable: value, "EDUPLAN_WAREHOUSE": str(tmp_path / "w.duckdb")}
    code = "from flows.cli import main; main(['status'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert f"{variable}={value!r}" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("command", [["report"], ["names"]])
def test_a_command_on_a_warehouse_never_published_exits_1_naming_it(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "warehouse.duckdb"
    assert main([*command, "--warehouse", str(missing)]) == EXIT_FAILED
    assert f"eduplan {command[0]}: no published warehouse at {missing}" in capsys.readouterr().err
    assert not missing.parent.exists()  # nothing created where there was nothing


def test_extract_writes_one_row_per_value_cell(tmp_path: Path) -> None:
    files = [str(p) for p in sorted(PLANS_DIR.glob("*.txt"))]
    assert main(["extract", *files, "--out", str(tmp_path)]) == EXIT_OK
    with (tmp_path / "plan_cells.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 257
    assert list(rows[0]) == [
        "doc", "table", "row_order", "category", "indicator", "breakdown", "unit", "year", "role",
        "raw_value", "comparator", "value", "attribute", "evaluation", "line", "value_upper",
        "is_approximate", "source_ref", "needs_review", "is_cumulative",
    ]  # fmt: skip
    jiaxing = [
        r
        for r in rows
        if r["doc"] == "jiaxing-2021-2025.txt" and r["indicator"] == "校际优质均衡系数"
    ]
    target = next(r for r in jiaxing if r["breakdown"] == "初中段" and r["year"] == "2025")
    assert (target["comparator"], target["value"], target["role"], target["attribute"]) == (
        "<", "0.24", "target", "约束性",
    )  # fmt: skip
    with (tmp_path / "milestones.csv").open(encoding="utf-8") as f:
        milestones = list(csv.DictReader(f))
    assert len(milestones) == 34
    assert list(milestones[0]) == [
        "doc", "program", "year", "region", "milestone_text", "line", "source_ref",
    ]  # fmt: skip


def test_extract_bad_document_exits_1_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("规划\n\n维度\t主要指标\t2025年\n学段\t学位数\t1\t2\t3\t4\n", encoding="utf-8")
    assert main(["extract", str(bad), "--out", str(tmp_path / "out")]) == EXIT_FAILED
    assert "bad.txt:4: row has" in capsys.readouterr().err
    assert not (tmp_path / "out" / "plan_cells.csv").exists()  # nothing half-written


def test_extract_many_documents_writes_the_good_ones_and_lists_every_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("规划\n\n维度\t主要指标\t2025年\n学段\t学位数\t1\t2\t3\t4\n", encoding="utf-8")
    empty = tmp_path / "prose.txt"
    empty.write_text("某市教育规划\n\n一、总体要求。\n", encoding="utf-8")
    good = PLANS_DIR / "yuhang-2021-2025.txt"
    out = tmp_path / "out"
    assert main(["extract", str(bad), str(good), str(empty), "--out", str(out)]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "2 of 3 document(s) could not be read" in err
    assert f"{bad}:4: row has" in err and f"{empty}: no indicator table" in err
    with (out / "plan_cells.csv").open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 21  # the good document's rows are written


def test_explain_shows_the_grid_the_columns_and_the_words_that_matched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["extract", "--explain", str(PLANS_DIR / "jiaxing-2021-2025.txt")]) == EXIT_OK
    out = capsys.readouterr().out
    assert "table 1 (indicators) at line 13" in out
    assert "| 维度 | 主要指标 |  | 2020年 | 2022年 | 2025年 | 指标属性 |" in out
    assert "'指标属性'" in out and "-> attribute  matched '指标属性'" in out
    assert "line 14: 学段与规模 / 幼儿园学位数（万个） / - / 2020 baseline: '15.34'" in out


def test_explain_a_document_that_cannot_be_read_exits_1_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("规划\n\n维度\t主要指标\t指标属性\n学段\t学位数\t预期性\n", encoding="utf-8")
    assert main(["extract", "--explain", str(bad)]) == EXIT_FAILED
    assert "ERROR bad.txt:3: header has no year column" in capsys.readouterr().out


def test_run_reports_the_whole_wall_time_start_up_included() -> None:
    """`took` is the wall time of `eduplan run`, with the start-up before the flow said."""
    from flows.summary import RunRecord

    summary = RunRecord(published=True, warehouse=Path("w.duckdb"), build_file=Path("b.duckdb"))
    summary.seconds, summary.startup_seconds = 76.0, 27.0
    assert "took      : 76.0s (start-up 27.0 s: imports, Prefect's server)" in summary.format()

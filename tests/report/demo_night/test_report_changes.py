"""What changed tonight and `eduplan status`, on the two real nights of the demo fixture and on a
copy of its warehouse changed by hand (so every count is known)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.report.changes import MAX_LISTED, changes_markdown, compare, mart_keys
from flows.report.status import read_record
from flows.warehouse.layout import WarehouseLayout
from flows.warehouse.publish import history


def _statuses(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select target_id, status from marts.mart_indicator_progress").fetchall()
    return dict(rows)


def test_mart_keys_come_from_the_dbt_uniqueness_tests() -> None:
    keys = mart_keys()
    assert keys["fct_indicator_target"] == (
        "plan_id",
        "indicator_code",
        "breakdown",
        "year",
        "role",
    )
    assert keys["mart_region_scorecard"] == ("region_code", "plan_id", "year")
    assert keys["fct_indicator_actual"] == (
        "region_code", "indicator_code", "breakdown", "year", "source_kind", "source_ref",
    )  # fmt: skip


def test_two_nights_show_the_synthetic_figures_and_every_status_change(demo_night) -> None:
    (previous,) = [e.path for e in history(demo_night.warehouse)][:1]
    changes = compare(previous, demo_night.warehouse)
    marts = {m.table: m for m in changes.marts}
    actual = marts["fct_indicator_actual"]
    # tonight added the synthetic figures and nothing else changed in the facts
    with duckdb.connect(str(demo_night.warehouse), read_only=True) as con:
        (synthetic,) = con.execute(
            "select count(*) from marts.fct_indicator_actual where source_kind = 'synthetic'"
        ).fetchall()[0]
    assert (actual.added, actual.removed, actual.changed) == (synthetic, 0, 0)
    assert synthetic == demo_night.synthetic_rows  # the rows the demo wrote to its CSV file
    assert not marts["fct_indicator_target"].any and not marts["dim_region"].any
    assert marts["mart_indicator_progress"].changed > 0
    # every target whose status differs between the two files, and only those
    before, after = _statuses(previous), _statuses(demo_night.warehouse)
    expected = {t: (before[t], after[t]) for t in after if before.get(t) != after[t]}
    assert {s.target_id: (s.status_before, s.status_after) for s in changes.statuses} == expected
    assert {s.status_before for s in changes.statuses} == {"no_data"}
    falls = [s for s in changes.statuses if s.attribute == "binding"
             and s.status_after == "deterioration"]  # fmt: skip
    assert falls, "a binding target that fell to deterioration is listed"
    text = changes_markdown(previous, demo_night.warehouse)
    assert "| fct_indicator_actual |" in text
    assert f"| {falls[0].region_name} {falls[0].region_code} | {falls[0].indicator} | " in text
    # a target of one breakdown (小学, 初中...) says which, in every view of the change
    with duckdb.connect(str(demo_night.warehouse), read_only=True) as con:
        parts = dict(con.execute(
            "select target_id, breakdown from marts.mart_indicator_progress"
        ).fetchall())  # fmt: skip
    assert {s.target_id: s.breakdown for s in changes.statuses} == {
        s.target_id: parts[s.target_id] for s in changes.statuses
    }
    (part,) = [s for s in changes.statuses[:MAX_LISTED] if s.part][:1]  # one the text lists
    assert f"| {part.indicator} | {part.part} |" in text
    assert f"{part.indicator} ({part.part}) {part.year}" in changes.format()
    page = demo_night.report.read_text(encoding="utf-8")
    assert f"<td>{part.indicator}</td><td>{part.part}</td>" in page


def test_changes_on_a_copy_changed_by_hand(demo_night, tmp_path: Path) -> None:
    changed = tmp_path / "changed.duckdb"
    shutil.copyfile(demo_night.warehouse, changed)
    with duckdb.connect(str(changed)) as con:
        target, old = con.execute(
            "select target_id, status from marts.mart_indicator_progress "
            "where status = 'on_track' order by target_id limit 1"
        ).fetchall()[0]
        con.execute(
            "update marts.mart_indicator_progress set status = 'deterioration' "
            "where target_id = ?", [target],
        )  # fmt: skip
        con.execute("delete from marts.dim_region where region_code = '110000'")
        con.execute(
            "insert into marts.dim_breakdown (breakdown, breakdown_name_zh) values ('x', 'X')"
        )
        # the fact (compared year by year): a value changed and a row added in one year, a row
        # removed in another, the other years untouched
        first, last = con.execute(
            "select min(year), max(year) from marts.fct_indicator_actual"
        ).fetchall()[0]  # fmt: skip
        con.execute(f"""
            update marts.fct_indicator_actual set value = value + 1
            where source_ref = (select min(source_ref) from marts.fct_indicator_actual
                                where year = {first} and value is not null) and year = {first};
            insert into marts.fct_indicator_actual
            select * replace (source_ref || '-copy' as source_ref)
            from marts.fct_indicator_actual where year = {first} limit 1;
            delete from marts.fct_indicator_actual
            where source_ref = (select max(source_ref) from marts.fct_indicator_actual
                                where year = {last}) and year = {last};
        """)  # fmt: skip
    changes = compare(demo_night.warehouse, changed)
    marts = {m.table: (m.added, m.changed, m.removed) for m in changes.marts if m.any}
    assert marts == {
        "mart_indicator_progress": (0, 1, 0), "dim_region": (0, 0, 1), "dim_breakdown": (1, 0, 0),
        "fct_indicator_actual": (1, 1, 1),
    }  # fmt: skip
    assert [(s.target_id, s.status_before, s.status_after) for s in changes.statuses] == [
        (target, old, "deterioration")
    ]
    first = compare(None, changed)
    assert first.marts == [] and "first published night" in first.markdown()


def test_status_after_two_runs(demo_night, capsys: pytest.CaptureFixture[str]) -> None:
    last = read_record(WarehouseLayout(demo_night.warehouse).last_run_record)
    assert last is not None and last.published and last.flow_run_id
    assert WarehouseLayout(demo_night.warehouse).published_record.exists()
    assert main(["status", "--warehouse", str(demo_night.warehouse)]) == 0
    out = capsys.readouterr().out
    assert "PUBLISHED" in out and "flow run" in out
    assert "mart_indicator_progress" in out
    assert "raw_inputs   passed: 0 of" in out and "marts        passed: 0 of" in out
    n = len(compare(history(demo_night.warehouse)[0].path, demo_night.warehouse).statuses)
    assert f"{n} target status change(s)" in out
    assert "no_data -> deterioration" in out


def test_status_without_a_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--warehouse", str(tmp_path / "none.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "no run recorded" in out and "no published warehouse yet" in out

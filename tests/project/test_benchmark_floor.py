"""The benchmark's floor (benchmarks/night_floor.py) must do eduplan's work, or its ratio means
nothing: its progress rule gives the statuses of eduplan's own mart_indicator_progress.sql
(rendered from the dbt project, run on the same targets and actuals: every status of the
vocabulary hit), its row checks quarantine the rows eduplan's would, and a night by file gives
what a first night on the same folder gives. Seconds, no dbt: the same comparison against a real
night of eduplan is the `long` test at the end."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import jinja2
import pytest

from benchmarks import night_floor
from flows.config import DBT_PROJECT_DIR
from flows.controlled_vocabulary import codes
from flows.load import file_hashes
from tests.conftest import REPO_ROOT

# ---------------------------------------------------------------------------------------------
# the status rule: the floor's SQL against eduplan's model, on a grid of targets


def _at_ratio(ratio: float, baseline: float, target: float) -> float:
    """The value in 2023 whose compound growth since 2020 is `ratio` of the growth needed to go
    from baseline to target by 2025."""
    required = (target / baseline) ** (1 / 5) - 1
    return round(baseline * (1 + ratio * required) ** 3, 4)


# (polarity, comparator, target value or None, raw text, target year, baseline or None,
#  observations [(year, value, source_kind)]): each target its own region; baseline year 2020
GRID: list[tuple] = [
    ("higher", ">=", 100, "≥100", 2025, 80, [(2023, 100, "published")]),  # achieved
    ("higher", ">=", 100, "≥100", 2022, 80, [(2022, 90, "published")]),  # not_achieved
    ("higher", ">=", 100, "≥100", 2025, 80, []),  # no_data: no actual
    ("higher", ">=", 100, "≥100", 2025, None, [(2023, 90, "published")]),  # no_data: no baseline
    ("higher", None, 100, "100", 2025, 80, [(2023, 95, "published")]),  # on_track
    ("higher", None, 100, "100", 2025, 80, [(2023, 88, "synthetic")]),  # needs_acceleration
    ("higher", None, 100, "100", 2025, 80, [(2023, 82, "published")]),  # limited_progress
    ("higher", None, 100, "100", 2025, 80, [(2023, 75, "published")]),  # deterioration
    ("higher", ">", 90, ">90", 2025, 90, [(2023, 90, "published")]),  # keep a level: not worse
    ("higher", ">", 90, ">90", 2025, 90, [(2023, 85, "published")]),  # keep a level: worse
    ("lower", None, 5, "5", 2025, 10, [(2023, 6, "published")]),  # lower is better
    ("lower", None, 5, "5", 2025, 10, [(2023, 5, "published")]),
    ("lower", "<=", 5, "≤5", 2025, 10, [(2023, 5, "published")]),
    ("lower", "<", 5, "<5", 2025, 10, [(2024, 11, "published")]),
    ("higher", None, 10, "10", 2025, 0, [(2023, 8, "published")]),  # linear: baseline 0
    ("higher", None, 20, "20", 2025, 10, [(2023, 0, "published")]),  # fell to zero
    ("higher", None, 20, "20", 2025, 10, [(2023, -1, "published")]),  # below zero
    *(  # either side of each threshold of the ratio (0.95, 0.60, 0), compound and linear
        ("higher", None, 100, "100", 2025, 80, [(2023, _at_ratio(ratio, 80, 100), "published")])
        for ratio in (0.97, 0.93, 0.62, 0.58, 0.02, -0.02)
    ),
    *(
        ("higher", None, 10, "10", 2025, 0, [(2023, round(3 * 2 * ratio, 4), "published")])
        for ratio in (0.97, 0.95, 0.93, 0.62, 0.6, 0.58, 0.02, 0, -0.02)
    ),
    # exactly on a threshold (binary fractions: 15.2 / 4 / 4 is the double 0.95)
    ("higher", None, 20, "20", 2025, 0, [(2024, 15.2, "published")]),
    ("higher", None, 20, "20", 2025, 0, [(2024, 9.6, "published")]),
    ("higher", None, 20, "20", 2025, 10, [(2022, 12, "synthetic"), (2022, 19, "published")]),
    ("higher", None, 20, "20", 2025, 10, [(2022, 12, "plan_reported"), (2022, 19, "published")]),
    ("higher", None, 20, "20", 2025, 10, [(2021, 12, "published"), (2024, 16, "synthetic")]),
    ("higher", None, None, "逐年只增不减", 2025, 10, [(2022, 11, "published")]),
    ("higher", None, None, "逐年只增不减", 2025, 10, [(2022, 9, "published")]),
    ("higher", None, None, "逐年只增不减", 2025, 10, [(2025, 12, "published")]),
    ("higher", None, None, "逐年只增不减", 2025, 10, [(2025, 9, "published")]),
    ("higher", None, None, "逐年只增不减", 2025, None, []),
    ("higher", None, None, "大幅提高", 2025, 10, [(2023, 12, "published")]),  # text: no_data
]


def _grid_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The grid as the floor's tables (plan_cells, catalogue, facts, plan_figures) and as the
    tables eduplan's mart reads (fct_indicator_target, dim_indicator, fct_indicator_actual)."""
    con.execute(
        """
        create table plan_cells (
            doc varchar, line integer, region_code varchar, indicator varchar,
            breakdown_raw varchar, unit varchar, year integer, role varchar, raw_value varchar,
            comparator varchar, value decimal(38, 10), is_cumulative boolean,
            baseline_year integer, target_id bigint, indicator_code varchar, breakdown varchar,
            target_kind varchar
        );
        create table catalogue (
            indicator_code varchar, indicator_name_zh varchar, indicator_name_en varchar,
            catalogue_unit varchar, polarity varchar
        );
        create table facts (
            region_code varchar, indicator_code varchar, breakdown varchar, year integer,
            value decimal(38, 10), source_kind varchar, file varchar, line integer
        );
        create table plan_figures as select * from facts;
        insert into catalogue values ('up', 'up', 'up', '%', 'higher'),
            ('down', 'down', 'down', '%', 'lower');
        """
    )
    for i, (polarity, comparator, value, text, year, baseline, observed) in enumerate(GRID):
        region, indicator = f"r{i}", "up" if polarity == "higher" else "down"
        kind = "numeric" if value is not None else "text"
        kind = "non_decreasing" if text == "逐年只增不减" else kind
        role = "target" if year == 2025 else "milestone"
        con.execute(
            "insert into plan_cells values ('plan.txt', ?, ?, ?, null, '%', ?, ?, ?, ?, ?, "
            "false, 2020, ?, ?, 'total', ?)",
            [10 + i, region, indicator, year, role, text, comparator, value, i, indicator, kind],
        )
        if baseline is not None:  # the plan's own baseline, a line before
            con.execute(
                "insert into plan_figures values (?, ?, 'total', 2020, ?, 'plan_baseline', "
                "'plan.txt', ?)",
                [region, indicator, baseline, 10 + i],
            )
        for n, (y, v, source_kind) in enumerate(observed):
            table = "plan_figures" if source_kind.startswith("plan_") else "facts"
            # a published figure's file sorts last: only the preference puts it first
            file = {"plan_figures": "plan.txt", "facts": "a.csv"}[table]
            file = "z.csv" if source_kind == "published" else file
            con.execute(
                f"insert into {table} values (?, ?, 'total', ?, ?, ?, ?, ?)",
                [region, indicator, y, v, source_kind, file, 100 * i + n],
            )
    con.execute(
        """
        create table fct_indicator_target as
        select
            doc || '|' || line || '|' || year || '|' || role as target_id, doc as plan_id,
            region_code, indicator_code, breakdown, year, role, indicator as indicator_name_raw,
            cast(null as varchar) as attribute, comparator, value as target_value,
            raw_value as target_text, target_kind, baseline_year,
            cast(null as varchar) as evaluation_reported, doc as source_file, line as source_line,
            doc || ':' || line as source_ref
        from plan_cells where role in ('milestone', 'target');
        create table dim_indicator as select indicator_code, polarity from catalogue;
        create table fct_indicator_actual as
        select *, file || ':' || line as source_ref, true as unit_matches_catalogue
        from (select * from facts union all select * from plan_figures);
        """
    )


# mart_indicator_progress and the intermediate models it reads (dbt/models/intermediate/), in
# the order dbt builds them
PROGRESS_MODELS = (
    "intermediate/int_target_actuals_matched",
    "intermediate/int_target_observations_chosen",
    "intermediate/int_targets_observed",
    "marts/mart_indicator_progress",
)


def render_model(model: str) -> str:
    """One dbt model with its macros (progress_path.sql), rendered without dbt: ref() names the
    grid's tables, text_starts_with is DuckDB's starts_with (the duckdb side of
    macros/cross_db.sql)."""
    macros = (DBT_PROJECT_DIR / "macros" / "progress_path.sql").read_text(encoding="utf-8")
    sql = (DBT_PROJECT_DIR / "models" / f"{model}.sql").read_text(encoding="utf-8")
    template = jinja2.Environment(extensions=["jinja2.ext.do"]).from_string(macros + sql)
    return template.render(
        ref=lambda name: name, text_starts_with=lambda t, p: f"starts_with({t}, {p})"
    )


def eduplans_progress_sql(con: duckdb.DuckDBPyConnection) -> str:
    """eduplan's progress as dbt builds it: the intermediate models as views of their own names
    on `con`, and the mart's query over them."""
    *intermediate, mart = PROGRESS_MODELS
    for model in intermediate:
        con.execute(f"create or replace view {model.rsplit('/', 1)[1]} as {render_model(model)}")
    return render_model(mart)


def test_the_floors_status_rule_is_eduplans() -> None:
    con = duckdb.connect()
    _grid_tables(con)
    con.execute(night_floor.PROGRESS_TABLE)
    con.execute(night_floor.PROGRESS.format(targets=""))
    eduplan = con.execute(
        "select source_line, status, latest_value, baseline_value, round(progress_ratio, 9) "
        f"from ({eduplans_progress_sql(con)}) as mart order by 1"
    ).fetchall()
    floor = con.execute(
        "select line, status, latest_value, baseline_value, round(progress_ratio, 9) "
        "from progress order by 1"
    ).fetchall()
    assert len(floor) == len(GRID)
    assert floor == eduplan
    # the grid reaches every status of the vocabulary, so every branch of the rule is compared
    assert {row[1] for row in floor} == set(codes("status"))


# ---------------------------------------------------------------------------------------------
# the floor's nights: the checks, and by file as from scratch

SOURCE = "https://example.gov.cn/a.html,某某公报"
HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
GOOD = [
    f"海宁市,普惠性幼儿园在园儿童覆盖面,,{y},{80 + y - 2019},%,{SOURCE}" for y in range(2019, 2024)
]
# each planted row, and the reason eduplan's int_actuals_judged gives it
PLANTED = [
    (f"火星市,普惠性幼儿园在园儿童覆盖面,,2021,80,%,{SOURCE}", "unknown_region"),
    (f"嘉兴市,普惠性幼儿园在园儿童覆盖面,,2021,约80,%,{SOURCE}", "value_not_a_number"),
    (f"嘉兴市,普惠性幼儿园在园儿童覆盖面,,2021,180,%,{SOURCE}", "value_out_of_range"),
    (f"嘉兴市,普惠性幼儿园在园儿童覆盖面,,2021-2022,80,%,{SOURCE}", "year_is_range"),
    (f"嘉兴市,普惠性幼儿园在园儿童覆盖面,,21,80,%,{SOURCE}", "year_not_a_year"),
    (f"嘉兴市,普惠性幼儿园在园儿童覆盖面,,2021,80,万元,{SOURCE}", "unit_not_convertible"),
    ("嘉兴市,普惠性幼儿园在园儿童覆盖面,,2021,80,%,,", "missing_value"),
    (f",普惠性幼儿园在园儿童覆盖面,,2021,80,%,{SOURCE}", "missing_value"),
    (f"嘉兴市,普惠性幼儿园在园儿童覆盖面,,2021,0.000000000001,%,{SOURCE}", "value_out_of_range"),
]


def _plans(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "plan_documents.csv").write_text("doc,region_code\nplan.txt,330481\n")
    (folder / "plan_tables.csv").write_text("doc,table,period_start_year\nplan.txt,1,2021\n")
    (folder / "plan_cells.csv").write_text(
        "doc,table,indicator,breakdown,unit,year,role,raw_value,comparator,value,line,"
        "is_cumulative\n"
        "plan.txt,1,普惠性幼儿园覆盖率（%）,,%,2020,baseline,81,=,81,5,false\n"
        "plan.txt,1,普惠性幼儿园覆盖率（%）,,%,2025,target,≥90,>=,90,6,false\n"
    )
    return folder


def _write(folder: Path, files: dict[str, list[str]]) -> None:
    for old in folder.glob("*.csv"):
        if old.name not in files:
            old.unlink()
    for name, lines in files.items():
        (folder / name).write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")


def _state(database: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return {
            table: con.execute(f"select * from {table} order by all").fetchall()
            for table in ("actuals", "judged", "facts", "quarantine", "progress")
        }
    finally:
        con.close()


def test_the_floor_quarantines_what_eduplan_does_and_keeps_the_rest(tmp_path: Path) -> None:
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    _write(actuals, {"a.csv": GOOD + [row for row, _ in PLANTED]})
    out = night_floor.floor_night(actuals, _plans(tmp_path / "plans"), tmp_path / "f.duckdb")
    assert out["landed"] == len(GOOD) + len(PLANTED)
    assert out["facts"] == len(GOOD)
    quarantined = _state(tmp_path / "f.duckdb")["quarantine"]
    assert [(line, reason) for _, line, _, _, reason in quarantined] == [
        (len(GOOD) + 2 + i, reason) for i, (_, reason) in enumerate(PLANTED)
    ]
    [progress] = _state(tmp_path / "f.duckdb")["progress"]
    assert progress[-1] != "no_data"  # the plan's name and the actuals' meet one indicator


def test_a_night_by_file_equals_a_first_night_on_the_same_folder(tmp_path: Path) -> None:
    plans = _plans(tmp_path / "plans")
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    other = [f"海宁市,普惠性幼儿园在园儿童覆盖面,,2024,{v},%,{SOURCE}" for v in (89, 91)]
    nights = [
        {"a.csv": GOOD, "b.csv": PLANTED[0][:1]},
        {"a.csv": GOOD, "b.csv": PLANTED[0][:1], "c.csv": other[:1]},  # a new file
        {"a.csv": GOOD, "b.csv": other[1:], "c.csv": other[:1]},  # b changed: disagrees with c
        {"a.csv": GOOD[:-1], "c.csv": other[:1]},  # b gone, a changed
        {"a.csv": GOOD[:-1], "c.csv": other[:1]},  # nothing new
    ]
    fresh = tmp_path / "nightly.duckdb"
    for n, files in enumerate(nights):
        _write(actuals, files)
        out = night_floor.floor_night(actuals, plans, tmp_path / "nightly.duckdb")
        assert out["nothing_new"] == (n == 4)
        if 0 < n < 4:  # (the first night is one; nothing new leaves the fourth's state)
            fresh = tmp_path / f"fresh{n}.duckdb"
            night_floor.floor_night(actuals, plans, fresh)
        assert _state(tmp_path / "nightly.duckdb") == _state(fresh), f"night {n + 1}"
    assert _state(fresh)["progress"][0][-1] != "no_data"


def test_the_floor_reads_again_only_files_whose_identity_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As eduplan (flows/load/file_hashes.py): a file the same on disk (size, times, inode) is
    not hashed again; one written to is, and a write that leaves the bytes as they were loads
    nothing."""
    plans = _plans(tmp_path / "plans")
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    _write(actuals, {"a.csv": GOOD, "b.csv": GOOD[:1]})
    # (the files were written just now: settled as if written a minute earlier)
    monkeypatch.setattr(file_hashes, "RACY_SECONDS", -60.0)
    scanned: list[str] = []
    scan = night_floor.scan
    monkeypatch.setattr(night_floor, "scan", lambda path: scanned.append(path.name) or scan(path))
    database = tmp_path / "nightly.duckdb"
    night_floor.floor_night(actuals, plans, database)
    assert sorted(scanned) == ["a.csv", "b.csv"]
    scanned.clear()
    assert night_floor.floor_night(actuals, plans, database)["nothing_new"]
    assert scanned == []
    (actuals / "b.csv").write_bytes((actuals / "b.csv").read_bytes())  # the same bytes again
    assert night_floor.floor_night(actuals, plans, database)["nothing_new"]
    assert scanned == ["b.csv"]
    scanned.clear()
    assert night_floor.floor_night(actuals, plans, database)["nothing_new"]
    assert scanned == []  # its new identity was kept


# ---------------------------------------------------------------------------------------------
# against a real night of eduplan (long: a night of its own)


@pytest.mark.long
@pytest.mark.usefixtures("prefect_backend")
def test_the_floor_equals_a_real_night_of_eduplan(tmp_path: Path) -> None:
    from benchmarks.bench_night import disagreements, plans_csv
    from flows.demo.synth import write_synthetic_actuals
    from flows.nightly import nightly_load

    raw = tmp_path / "raw"
    shutil.copytree(REPO_ROOT / "raw", raw)
    write_synthetic_actuals(raw / "actuals", regions=3, indicators=20, years=(2015, 2025))
    (raw / "actuals" / "bad.csv").write_text(
        "\n".join([HEADER, *(row for row, _ in PLANTED)]) + "\n", encoding="utf-8"
    )
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    assert nightly_load(raw_dir=str(raw), warehouse=str(warehouse)).published
    floor = tmp_path / "floor.duckdb"
    night_floor.floor_night(raw / "actuals", plans_csv(raw, tmp_path / "plans_csv"), floor)
    assert disagreements(warehouse, floor) == []
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    con.execute(f"attach '{floor}' as fl (read_only)")
    eduplan_rows = con.execute(
        "select source_file, source_line, column_name, raw_value, reason "
        "from wh.marts.mart_actuals_quarantine order by all"
    ).fetchall()
    assert con.execute("select * from fl.quarantine order by all").fetchall() == eduplan_rows
    assert len(eduplan_rows) > len(PLANTED)
    facts = "select count(*) from wh.marts.fct_indicator_actual where unit_matches_catalogue"
    floor_facts = "select (select count(*) from fl.facts) + (select count(*) from fl.plan_figures)"
    assert con.execute(facts).fetchall() == con.execute(floor_facts).fetchall()


# ---------------------------------------------------------------------------------------------
# the done-when checks the benchmark prints


def _night(night: str, size: int, seconds: float, floor: float, peak: int) -> dict:
    return {"night": f"{night} {size / 1e6:g}M", "size": size, "seconds": seconds,
            "floor_seconds": floor, "ratio_to_floor": round(seconds / floor, 2),
            "peak_rss_mib": peak, "targets_differing_from_floor": 0,
            "floor_share_of_full": 0.196}  # fmt: skip


def test_the_done_when_checks_read_the_largest_size() -> None:
    from benchmarks.bench_night import done_when

    def rows(new: float, full: float, nothing: float, peak: int) -> list[dict]:
        nights = []
        for size, scale in ((1_000_000, 0.1), (10_000_000, 1.0)):
            for night, seconds in (
                ("full", full),
                ("new file", new),
                ("nothing new", nothing),
                ("one new row", 9.0),
            ):
                nights.append(_night(night, size, seconds * scale, 20.0 * scale, peak))
                nights[-1]["share_of_full"] = round(seconds / full, 3)
        return nights

    seeds = [{"night": "nothing new seeds", "seconds": 20.0}]
    met = done_when(rows(new=10.0, full=100.0, nothing=25.0, peak=2047), seeds)
    assert [check[2] for check in met] == [True] * 5, met
    assert met[0][0].startswith("10M")
    assert "the same-work floor's own: 19.6%" in met[0][1], met[0]  # what the goal asks of it
    assert "a night of one new row: 9.0 s, 9.0%" in met[0][1], met[0]  # its fixed cost
    missed = done_when(rows(new=10.1, full=100.1, nothing=25.1, peak=2048), seeds)
    assert [check[2] for check in missed] == [False, False, False, False, True], missed

"""The floor of a night: what a skilled engineer would write by hand in plain DuckDB SQL, in one
process, with no orchestration, checks or provenance: read the actuals CSVs, resolve regions
and indicators by join (the same seeds eduplan uses), join the plan targets (the extractor's
CSV output, read as files), compute baseline, latest actual and progress ratio per target,
write the result tables and checkpoint. benchmarks/bench_night.py times it against `eduplan run`
on the same files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.config import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"

FLOOR_SQL = """
create table regions as
select * from read_csv('{seeds}/regions.csv', header = true, all_varchar = true);
create table aliases as
select * from read_csv('{seeds}/indicator_aliases.csv', header = true, all_varchar = true);
create table breakdown_aliases as
select * from read_csv('{seeds}/breakdown_aliases.csv', header = true, all_varchar = true);

-- a region is written as its code or its name (names unique in the country)
create table region_keys as
select region_code as region_key, region_code from regions
union all
select region_name_zh, any_value(region_code) from regions
group by region_name_zh having count(*) = 1;

create table actuals as
select
    region_keys.region_code,
    aliases.indicator_code,
    coalesce(breakdown_aliases.breakdown_code, nullif(aliases.breakdown_code, ''), 'total')
        as breakdown,
    cast(raw.year as integer) as year,
    cast(raw.value as decimal(38, 10)) as value,
    raw.unit
from read_csv({files}, header = true, all_varchar = true) as raw
inner join region_keys on raw.region = region_keys.region_key
inner join aliases on raw.indicator = aliases.indicator_name_raw
left join breakdown_aliases on raw.breakdown = breakdown_aliases.breakdown_raw;

create table plan_cells as
select
    documents.region_code,
    coalesce(exact.indicator_code, stripped.indicator_code) as indicator_code,
    coalesce(breakdown_aliases.breakdown_code, 'total') as breakdown,
    cells.year,
    cells.role,
    cast(cells.value as decimal(38, 10)) as value,
    tables.period_start_year - 1 as baseline_year,
    cells.doc,
    cells.line
from read_csv('{plans}/plan_cells.csv', header = true, all_varchar = true) as cells
inner join read_csv('{plans}/plan_documents.csv', header = true, all_varchar = true)
    as documents using (doc)
inner join read_csv('{plans}/plan_tables.csv', header = true) as tables
    on cells.doc = tables.doc and cast(cells."table" as integer) = tables."table"
left join aliases as exact on cells.indicator = exact.indicator_name_raw
left join aliases as stripped
    on regexp_replace(cells.indicator, '[（(][^）)]*[）)]$', '') = stripped.indicator_name_raw
left join breakdown_aliases on cells.breakdown = breakdown_aliases.breakdown_raw;

create table observations as
select region_code, indicator_code, breakdown, year, value from actuals
union all
select region_code, indicator_code, breakdown, cast(year as integer), value
from plan_cells where role = 'baseline' and value is not null;

create table progress as
with targets as (
    select *, row_number() over () as target_id
    from plan_cells where role in ('target', 'milestone') and value is not null
),
baselines as (
    select targets.target_id, arg_max(o.value, o.year) as baseline_value
    from targets inner join observations as o
        on targets.region_code = o.region_code and targets.indicator_code = o.indicator_code
        and targets.breakdown = o.breakdown and o.year <= targets.baseline_year
    group by targets.target_id
),
latest as (
    select targets.target_id, max(o.year) as latest_year, arg_max(o.value, o.year) as latest_value
    from targets inner join observations as o
        on targets.region_code = o.region_code and targets.indicator_code = o.indicator_code
        and targets.breakdown = o.breakdown
        and o.year > targets.baseline_year and o.year <= cast(targets.year as integer)
    group by targets.target_id
)
select
    targets.*,
    baselines.baseline_value,
    latest.latest_year,
    latest.latest_value,
    (latest.latest_value - baselines.baseline_value)
        / nullif(targets.value - baselines.baseline_value, 0) as progress_ratio
from targets
left join baselines using (target_id)
left join latest using (target_id);

checkpoint;
"""


def run_floor(csv_files: list[Path], plans_csv_dir: Path, database: Path) -> dict[str, int]:
    """Run the floor into a fresh database; returns rows of its result tables."""
    files = "[" + ", ".join(f"'{p}'" for p in csv_files) + "]"
    con = duckdb.connect(str(database))
    try:
        con.execute(FLOOR_SQL.format(seeds=SEEDS, files=files, plans=plans_csv_dir))
        counts = con.execute(
            "select (select count(*) from actuals), (select count(*) from progress), "
            "(select count(latest_value) from progress)"
        ).fetchall()[0]
    finally:
        con.close()
    return {"facts": counts[0], "targets": counts[1], "targets_with_actual": counts[2]}

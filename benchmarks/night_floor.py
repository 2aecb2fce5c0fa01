"""The floor of a night: the same work as `eduplan run` on the actuals, written by hand in plain
DuckDB SQL in one process (Python only hashes files and reads headers), so a night of eduplan is
measured against what the work itself costs (benchmarks/bench_night.py).

What it does, per night, on its own database (`floor_night`):
- every raw/actuals/*.csv hashed (sha256, streamed) with its lines counted, unless its identity
  on disk (size, times, inode: flows/load/file_hashes.py, as eduplan remembers its hashes) is
  the one on record; a file whose hash is on record is not read again; a file gone from the
  folder takes its rows with it; nothing new (no file new, changed or gone) ends the night after
  the hashing, as eduplan's does;
- each new or changed file: its header checked (the required columns, by name, in any order),
  read by DuckDB's strict CSV reader (all text; it refuses bytes that are not UTF-8, which
  eduplan checks in Python while hashing) with its file and line (one record per line, checked
  against the line count), landed as text in `actuals` replacing its earlier rows;
- its rows judged (`judged`), as int_actuals_judged does: region resolved (code, unique name,
  name prefixed by parent or grandparent, alias), indicator and breakdown resolved (aliases and
  the catalogue's names, on the same name key: full width to half, spaces and a bracketed unit
  dropped, synonyms), unit spellings, conversion to the catalogue unit; problems recorded with
  column, value and reason: missing region / indicator / year / value / source_url,
  unknown_region, year_is_range, year_not_a_year, value_not_a_number, value_out_of_range (too
  many digits, too many decimals, outside [0, 100] for a percentage or below 0), unit not
  convertible, invalid_source_kind;
- duplicates across files among the usable rows, for the figures (region, indicator, breakdown,
  year) the night touched (every figure on the first night): the same value again keeps its first
  (file, line) (duplicate_row), different values hold back all (duplicate_disagrees);
- `facts`: one row per usable figure, plus the plans' baselines and reported figures, for the
  touched figures; `quarantine`: one row per problem;
- `progress`, for the targets whose series the night touched (all of them the first night): the
  baseline (latest value at or before the table's baseline year, the plan's own first), one
  observation per year (published before synthetic before the plan's), the latest value, growth
  (compound when both ends are positive, else linear), the progress ratio and the status by
  eduplan's rule (dbt/macros/progress_path.sql: achieved, not_achieved, no_data, on_track,
  needs_acceleration, limited_progress, deterioration; year over year for 逐年只增不减);
- one transaction per night, then a checkpoint. DuckDB's memory limit is eduplan's.

What it leaves out, as eduplan's night does not (or does elsewhere): extracting the plans (the
floor reads the extractor's CSVs, written once before timing: the extract stage has no SQL
floor), the Great Expectations gates, dbt's tests, the marts beyond progress (dimensions,
scorecard, commitments, unresolved names), publishing a copy, the report, the run record, the
detail text of each problem, and the slow path for a file whose records span lines, and going
on past a file that breaks the contract (the floor stops at such a file where eduplan rejects it
and goes on; the benchmark's files never do)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from flows.config import DBT_PROJECT_DIR, duckdb_memory_limit
from flows.controlled_vocabulary import codes, vocabulary, words_of
from flows.load.file_hashes import FileIdentity

SEEDS = DBT_PROJECT_DIR / "seeds"
REQUIRED = ("region", "indicator", "year", "value", "unit", "source_url", "source_title")
COLUMNS = ("region", "indicator", "breakdown", "year", "value", "unit", "source_url",
           "source_title", "source_kind")  # fmt: skip
FIGURE = ("region_code", "indicator_code", "breakdown", "year")

# ---------------------------------------------------------------------------------------------
# the name key (full width -> half width, no whitespace, no trailing bracketed unit, synonyms)

_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000【】〔〕"
_HALF = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)) + " []()"
_UNITS = "%|‰|百分比|万个|万人次|人次|万人|万名|万元|亿元|元|所|个|对|年|人|名|项|次|天|小时|平方米"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def _synonyms() -> dict[str, str]:
    import yaml

    spec = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in spec["vars"].get("name_synonyms", {}).items()}


def name_key(column: str) -> str:
    key = (
        f"regexp_replace(regexp_replace(translate(coalesce({column}, ''), {_q(_FULL)}, "
        f"{_q(_HALF)}), '\\s+', '', 'g'), '\\(({_UNITS})\\)$', '')"
    )
    for written, canonical in sorted(_synonyms().items(), key=lambda kv: -len(kv[0])):
        key = f"replace({key}, {_q(written)}, {_q(canonical)})"
    return key


# ---------------------------------------------------------------------------------------------
# the lookups, built each night from the seeds (small)

LOOKUPS = """
create or replace temp table regions as
select * from read_csv('{seeds}/regions.csv', header = true, all_varchar = true);

create or replace temp table region_keys as
with

named as (
    select region_name_zh, count(*) as regions_named from regions group by region_name_zh
),

all_keys as (
    select region_code as region_key, region_code, 1 as priority from regions
    union all
    select regions.region_name_zh, regions.region_code, 2
    from regions
    inner join named on regions.region_name_zh = named.region_name_zh
    where named.regions_named = 1
    union all
    select parents.region_name_zh || regions.region_name_zh, regions.region_code, 3
    from regions
    inner join regions as parents on regions.parent_region_code = parents.region_code
    union all
    select
        grandparents.region_name_zh || parents.region_name_zh || regions.region_name_zh,
        regions.region_code,
        3
    from regions
    inner join regions as parents on regions.parent_region_code = parents.region_code
    inner join regions as grandparents on parents.parent_region_code = grandparents.region_code
    union all
    select region_name_raw, region_code, 4
    from read_csv('{seeds}/region_aliases.csv', header = true, all_varchar = true)
)

select {key_region_key} as name_key, min_by(region_code, priority) as region_code
from all_keys
group by all;

create or replace temp table catalogue as
select
    indicator_code,
    indicator_name_zh,
    indicator_name_en,
    nullif(unit, '') as catalogue_unit,
    coalesce(nullif(polarity, ''), 'higher') as polarity
from read_csv('{seeds}/indicators.csv', header = true, all_varchar = true);

create or replace temp table indicator_keys as
with

aliases as (
    select distinct
        {key_alias} as name_key, indicator_code, nullif(breakdown_code, '') as breakdown_code
    from read_csv('{seeds}/indicator_aliases.csv', header = true, all_varchar = true)
),

names as (
    select indicator_code, indicator_code as catalogue_name from catalogue
    union all
    select indicator_code, indicator_name_zh from catalogue
    union all
    select indicator_code, indicator_name_en from catalogue
)

select * from aliases
union all
select distinct {key_catalogue} as name_key, indicator_code, null
from names
where {key_catalogue} not in (select name_key from aliases);

create or replace temp table breakdown_keys as
select distinct {key_breakdown} as name_key, breakdown_code
from read_csv('{seeds}/breakdown_aliases.csv', header = true, all_varchar = true);

create or replace temp table conversions as
select from_unit, to_unit, cast(factor as decimal(38, 10)) as factor
from read_csv('{seeds}/unit_conversions.csv', header = true, all_varchar = true);

create or replace temp table unit_words as
select * from (values {unit_words}) as words (written, unit);
"""


def _lookups_sql() -> str:
    units = vocabulary("unit")
    return LOOKUPS.format(
        seeds=SEEDS,
        key_region_key=name_key("region_key"),
        key_alias=name_key("indicator_name_raw"),
        key_catalogue=name_key("catalogue_name"),
        key_breakdown=name_key("breakdown_raw"),
        unit_words=", ".join(f"({_q(w)}, {_q(u)})" for w, u in units.items()),
    )


# ---------------------------------------------------------------------------------------------
# the floor's own tables

TABLES = """
create table if not exists files (
    file varchar primary key, sha256 varchar, data_lines bigint, identity varchar
);

create table if not exists actuals (
    file varchar, line integer, region varchar, indicator varchar, breakdown varchar,
    year varchar, value varchar, unit varchar, source_url varchar, source_title varchar,
    source_kind varchar
);

create table if not exists judged (
    file varchar, line integer, region_code varchar, indicator_code varchar, breakdown varchar,
    year integer, value decimal(38, 10), value_text varchar, unit varchar, source_kind varchar,
    problems struct("column" varchar, raw_value varchar, reason varchar)[],
    duplicate varchar
);

create table if not exists facts (
    region_code varchar, indicator_code varchar, breakdown varchar, year integer,
    value decimal(38, 10), source_kind varchar, file varchar, line integer
);
"""

# a file's rows: text as written, with file and line (records map one-to-one onto lines)
STAGE = """
create or replace temp table stage as
select * from read_csv(
    ?, columns = {columns}, header = true, delim = ',', quote = '"', escape = '"',
    auto_detect = false, strict_mode = true, parallel = true, max_line_size = 16000000
)
"""

LAND = """
insert into actuals
select ? as file, cast(rowid - (select min(rowid) from stage) as integer) + 2 as line, {fields}
from stage
"""

# the rows of the night's files, resolved, restated in the catalogue unit and judged on their own
# (the names resolved per distinct name, each read from its own column: `rows` is read once, not
# materialized)
JUDGE = """
insert into judged
with

rows as (
    select
        file,
        line,
        nullif(trim(region), '') as region_raw,
        nullif(trim(indicator), '') as indicator_raw,
        nullif(trim(breakdown), '') as breakdown_raw,
        nullif(trim(year), '') as year_text,
        nullif(trim(value), '') as value_text,
        nullif(trim(actuals.unit), '') as unit_as_published,
        coalesce(unit_words.unit, nullif(trim(actuals.unit), '')) as unit,
        nullif(trim(source_url), '') as source_url,
        nullif(trim(source_kind), '') as source_kind_raw,
        case when starts_with(file, 'synthetic_') then 'synthetic' else 'published' end
            as file_kind
    from actuals
    left join unit_words on trim(actuals.unit) = unit_words.written
    where file in (select file from night_files)
),

regions_written as (
    select distinct nullif(trim(region), '') as region_raw
    from actuals
    where file in (select file from night_files) and nullif(trim(region), '') is not null
),

region_names as (
    select regions_written.region_raw, region_keys.region_code
    from regions_written
    left join region_keys on {key_region} = region_keys.name_key
),

indicators_written as (
    select distinct nullif(trim(indicator), '') as indicator_raw
    from actuals
    where file in (select file from night_files) and nullif(trim(indicator), '') is not null
),

indicator_names as (
    select
        indicators_written.indicator_raw,
        coalesce(indicator_keys.indicator_code, 'uncatalogued_' || left(md5({key_indicator}), 10))
            as indicator_code,
        indicator_keys.breakdown_code as alias_breakdown,
        regexp_matches(indicators_written.indicator_raw || coalesce(indicator_keys.indicator_code,
            ''), '{change_words}') as is_change,
        regexp_matches(indicators_written.indicator_raw || coalesce(indicator_keys.indicator_code,
            ''), '{gross_words}') as is_gross
    from indicators_written
    left join indicator_keys on {key_indicator} = indicator_keys.name_key
),

breakdowns_written as (
    select distinct nullif(trim(breakdown), '') as breakdown_raw
    from actuals
    where file in (select file from night_files) and nullif(trim(breakdown), '') is not null
),

breakdown_names as (
    select
        breakdowns_written.breakdown_raw,
        coalesce(breakdown_keys.breakdown_code, 'uncatalogued_' || left(md5({key_breakdown}), 10))
            as breakdown_code
    from breakdowns_written
    left join breakdown_keys on {key_breakdown} = breakdown_keys.name_key
    where {key_breakdown} <> ''
),

resolved as (
    select
        rows.*,
        region_names.region_code,
        indicator_names.indicator_code,
        coalesce(breakdown_names.breakdown_code, indicator_names.alias_breakdown, 'total')
            as breakdown,
        case
            when regexp_full_match(rows.year_text, '[0-9]{{4}}')
                then cast(rows.year_text as integer)
        end as year,
        case
            when regexp_full_match(rows.value_text, '[+-]?([0-9]{{1,18}}(\\.[0-9]*)?|\\.[0-9]+)')
                then try_cast(rows.value_text as decimal(38, 10))
        end as value,
        coalesce(lower(rows.source_kind_raw), rows.file_kind) as source_kind,
        catalogue.catalogue_unit,
        conversions.factor,
        case
            when catalogue.catalogue_unit is null
                or coalesce(rows.unit, '') = catalogue.catalogue_unit then 'same'
            when conversions.factor is not null then 'convert'
            else 'no'
        end as unit_fit,
        case when indicator_names.is_change then null else 0 end as lowest,
        case
            when indicator_names.is_change or indicator_names.is_gross then null
            when coalesce(catalogue.catalogue_unit, rows.unit) = '%' then 100
        end as highest
    from rows
    left join region_names on rows.region_raw = region_names.region_raw
    left join indicator_names on rows.indicator_raw = indicator_names.indicator_raw
    left join breakdown_names on rows.breakdown_raw = breakdown_names.breakdown_raw
    left join catalogue on indicator_names.indicator_code = catalogue.indicator_code
    left join conversions
        on rows.unit = conversions.from_unit and catalogue.catalogue_unit = conversions.to_unit
),

valued as (
    select
        *,
        case unit_fit
            when 'same' then value
            when 'convert' then cast(value * factor as decimal(38, 10))
        end as value_in_catalogue_unit
    from resolved
),

final as (
    select
        file,
        line,
        region_code,
        indicator_code,
        breakdown,
        year,
        value_in_catalogue_unit as value,
        value_text,
        case when unit_fit = 'convert' then catalogue_unit else unit end as unit,
        source_kind,
        -- the list is built only for a row with a problem: most rows have none
        case
            when {any_check} then list_filter([
                {checks}
            ], lambda problem: problem is not null)
            else cast([] as struct("column" varchar, raw_value varchar, reason varchar)[])
        end as problems,
        cast(null as varchar) as duplicate
    from valued
)

select * from final
"""

# (when, column, raw value, reason): every check of a row on its own, in eduplan's order
_CHECKS = [
    *(
        (f"{field} is null", column, "null", "missing_value")
        for column, field in (
            ("region", "region_raw"),
            ("indicator", "indicator_raw"),
            ("year", "year_text"),
            ("value", "value_text"),
            ("source_url", "source_url"),
        )
    ),  # fmt: skip
    ("region_raw is not null and region_code is null", "region", "region_raw", "unknown_region"),
    ("year is null and {year_range}", "year", "year_text", "year_is_range"),
    (
        "year_text is not null and (year is null or year not between 1949 and 2100) "
        "and not {year_range}",
        "year",
        "year_text",
        "year_not_a_year",
    ),
    (
        "value_text is not null and value is null and {too_long}",
        "value",
        "value_text",
        "value_out_of_range",
    ),  # fmt: skip
    (
        "value is not null and try_cast(value_text as double) <> 0 and abs(cast(value as double) "
        "- try_cast(value_text as double)) > 1e-6 * abs(try_cast(value_text as double))",
        "value",
        "value_text",
        "value_out_of_range",
    ),
    (
        "value_text is not null and value is null and not {too_long}",
        "value",
        "value_text",
        "value_not_a_number",
    ),  # fmt: skip
    ("unit_fit = 'no'", "unit", "unit_as_published", "unit_not_convertible"),
    (
        "value_in_catalogue_unit < lowest or value_in_catalogue_unit > highest",
        "value",
        "value_text",
        "value_out_of_range",
    ),
    (
        "source_kind not in ({kinds}) or (source_kind = 'published' and file_kind = 'synthetic')",
        "source_kind",
        "source_kind_raw",
        "invalid_source_kind",
    ),
]

# the words that lift a percentage's [0, 100] range, as int_actuals_judged reads them
_CHANGE_WORDS = "|".join(words_of("range_exception", "change"))
_GROSS_WORDS = "|".join(words_of("range_exception", "gross"))
_YEAR_RANGE = "regexp_full_match(year_text, '[0-9]{4}\\s*年?\\s*[-–—~～至到]\\s*[0-9]{4}\\s*年?')"
_TOO_LONG = "regexp_full_match(value_text, '[+-]?[0-9]{19,}(\\.[0-9]*)?')"


def _judge_sql() -> str:
    kinds = ", ".join(_q(k) for k in codes("source_kind"))
    conditions = [
        "coalesce("
        + when.format(kinds=kinds, year_range=_YEAR_RANGE, too_long=_TOO_LONG)
        + ", false)"
        for when, _, _, _ in _CHECKS
    ]
    checks = ",\n                ".join(
        f"case when {condition} then {{'column': '{column}', "
        f"'raw_value': cast({raw} as varchar), 'reason': '{reason}'}} end"
        for condition, (_, column, raw, reason) in zip(conditions, _CHECKS, strict=True)
    )
    return JUDGE.format(
        key_region=name_key("regions_written.region_raw"),
        key_indicator=name_key("indicators_written.indicator_raw"),
        key_breakdown=name_key("breakdowns_written.breakdown_raw"),
        change_words=_CHANGE_WORDS,
        gross_words=_GROSS_WORDS,
        any_check="\n                or ".join(conditions),
        checks=checks,
    )


# duplicates across files among the usable rows of the touched figures ({scope}: all, or a semi
# join on `touched`); candidates found on a 64-bit hash, then checked on the figure itself
DUPLICATES = """
create or replace temp table duplicates as
with

usable as (
    select file, line, region_code, indicator_code, breakdown, year, value
    from judged {scope}
    where len(problems) = 0
),

repeated_hashes as (
    select hash(region_code, indicator_code, breakdown, year) as figure_hash
    from usable
    group by figure_hash
    having count(*) > 1
),

candidates as (
    select *
    from usable
    where hash(region_code, indicator_code, breakdown, year)
        in (select figure_hash from repeated_hashes)
),

figures as (
    select
        region_code,
        indicator_code,
        breakdown,
        year,
        count(distinct value) as values_given,
        min_by(file || ':' || line, {{'file': file, 'line': line}}) as first_ref
    from candidates
    group by all
    having count(*) > 1
),

final as (
    select
        candidates.file,
        candidates.line,
        case
            when figures.values_given > 1 then 'duplicate_disagrees'
            when figures.first_ref <> candidates.file || ':' || candidates.line
                then 'duplicate_row'
        end as duplicate
    from candidates
    inner join figures using (region_code, indicator_code, breakdown, year)
)

select * from final where duplicate is not null
"""

# the plans (the extractor's CSVs): targets and the figures the plans state
PLANS = """
create or replace table plan_cells as
with

cells as (
    select
        cells.doc,
        cast(cells.line as integer) as line,
        documents.region_code,
        cells.indicator,
        nullif(cells.breakdown, '') as breakdown_raw,
        nullif(cells.unit, '') as unit,
        cast(cells.year as integer) as year,
        cells.role,
        cells.raw_value,
        nullif(cells.comparator, '') as comparator,
        cast(cells.value as decimal(38, 10)) as value,
        cast(cells.is_cumulative as boolean) as is_cumulative,
        cast(tables.period_start_year as integer) - 1 as baseline_year
    from read_csv('{plans}/plan_cells.csv', header = true, all_varchar = true) as cells
    left join read_csv('{plans}/plan_documents.csv', header = true, all_varchar = true)
        as documents on cells.doc = documents.doc
    left join read_csv('{plans}/plan_tables.csv', header = true, all_varchar = true) as tables
        on cells.doc = tables.doc and cells."table" = tables."table"
)

select
    cells.*,
    row_number() over (order by cells.doc, cells.line, cells.year, cells.role) as target_id,
    coalesce(indicator_keys.indicator_code, 'uncatalogued_' || left(md5({key_indicator}), 10))
        as indicator_code,
    coalesce(breakdown_keys.breakdown_code, indicator_keys.breakdown_code, 'total') as breakdown,
    case
        when cells.value is not null then 'numeric'
        when {key_raw_value} = '逐年只增不减' then 'non_decreasing'
        else 'text'
    end as target_kind
from cells
left join indicator_keys on {key_indicator} = indicator_keys.name_key
left join breakdown_keys on {key_breakdown} = breakdown_keys.name_key;

create or replace table plan_figures as
select
    plan_cells.region_code,
    plan_cells.indicator_code,
    plan_cells.breakdown,
    plan_cells.year,
    plan_cells.value,
    case plan_cells.role when 'baseline' then 'plan_baseline' else 'plan_reported' end
        as source_kind,
    plan_cells.doc as file,
    plan_cells.line
from plan_cells
left join catalogue on plan_cells.indicator_code = catalogue.indicator_code
where plan_cells.role in ('baseline', 'actual')
    and plan_cells.value is not null
    and not plan_cells.is_cumulative
    and (catalogue.catalogue_unit is null or plan_cells.unit is null
        or plan_cells.unit = catalogue.catalogue_unit);
"""

# the usable, non-duplicate rows of the touched figures, as facts
FACTS = """
insert into facts
select
    judged.region_code, judged.indicator_code, judged.breakdown, judged.year, judged.value,
    judged.source_kind, judged.file, judged.line
from judged {scope}
where len(judged.problems) = 0 and judged.duplicate is null and judged.value is not null
"""

# progress of the targets ({targets}: all, or those whose series the night touched)
PROGRESS = """
insert into progress
with

targets as (
    select
        plan_cells.*,
        coalesce(catalogue.polarity, 'higher') as polarity
    from plan_cells
    left join catalogue on plan_cells.indicator_code = catalogue.indicator_code
    where plan_cells.role in ('milestone', 'target') {targets}
),

series as (
    select distinct region_code, indicator_code, breakdown from targets
),

observed as (
    select facts.region_code, facts.indicator_code, facts.breakdown, facts.year, facts.value,
        facts.source_kind, facts.file, facts.line
    from facts
    semi join series using (region_code, indicator_code, breakdown)
    union all
    select plan_figures.*
    from plan_figures
    semi join series using (region_code, indicator_code, breakdown)
),

candidates as (
    select
        targets.target_id,
        targets.doc as target_doc,
        targets.year as target_year,
        targets.baseline_year,
        observed.year,
        observed.value,
        observed.source_kind,
        observed.file || ':' || observed.line as source_ref,
        case observed.source_kind when 'published' then 1 when 'synthetic' then 2 else 3 end
            as preference
    from targets
    inner join observed using (region_code, indicator_code, breakdown)
    where observed.year <= targets.year or observed.year <= targets.baseline_year
),

baselines as (
    select target_id, year as baseline_year_used, value as baseline_value,
        source_ref as baseline_source_ref
    from candidates
    where year <= baseline_year
    qualify row_number() over (
        partition by target_id
        order by year desc, starts_with(source_ref, target_doc || ':') desc, preference,
            source_ref
    ) = 1
),

observations as (
    select target_id, year, value, source_kind, source_ref
    from candidates
    where year > baseline_year and year <= target_year
    qualify row_number() over (
        partition by target_id, year order by preference, source_ref
    ) = 1
),

latest as (
    select target_id, year as latest_year, value as latest_value,
        source_kind as latest_source_kind, source_ref as latest_source_ref
    from observations
    qualify row_number() over (partition by target_id order by year desc) = 1
),

year_over_year as (
    select target_id, count(*) as n_points,
        coalesce(bool_or(value < previous_value), false) as any_decrease
    from (
        select *, lag(value) over (partition by target_id order by year)
            as previous_value
        from (
            select target_id, baseline_year_used as year, baseline_value as value
            from baselines
            union all
            select target_id, year, value from observations
        ) as points
    ) as points_in_order
    group by all
),

joined as (
    select
        targets.doc, targets.line, targets.region_code, targets.indicator_code,
        targets.breakdown, targets.year, targets.role, targets.comparator,
        targets.value as target_value, targets.target_kind, targets.polarity,
        baselines.baseline_year_used, baselines.baseline_value, baselines.baseline_source_ref,
        latest.latest_year, latest.latest_value, latest.latest_source_kind,
        latest.latest_source_ref,
        coalesce(year_over_year.n_points, 0) as n_points,
        coalesce(year_over_year.any_decrease, false) as any_decrease
    from targets
    left join baselines on targets.target_id = baselines.target_id
    left join latest on targets.target_id = latest.target_id
    left join year_over_year on targets.target_id = year_over_year.target_id
),

compared as (
    select
        *,
        case
            when target_value is null or latest_value is null then null
            when comparator = '>' then latest_value > target_value
            when comparator = '>=' then latest_value >= target_value
            when comparator = '<' then latest_value < target_value
            when comparator = '<=' then latest_value <= target_value
            when polarity = 'lower' then latest_value <= target_value
            else latest_value >= target_value
        end as meets,
        coalesce(baseline_value > 0 and target_value > 0, false) as compound,
        cast(latest_year - baseline_year_used as double) as observed_years,
        cast(year - baseline_year_used as double) as required_years
    from joined
),

growth as (
    select
        *,
        case
            when compound and latest_value <= 0 then -1.0
            when compound then pow(cast(latest_value as double) / cast(baseline_value as double),
                1.0 / observed_years) - 1
            else cast(latest_value - baseline_value as double) / observed_years
        end as observed_growth,
        case
            when compound then pow(cast(target_value as double) / cast(baseline_value as double),
                1.0 / required_years) - 1
            else cast(target_value - baseline_value as double) / required_years
        end as required_growth
    from compared
),

measured as (
    select
        *,
        case when polarity = 'lower' then required_growth < 0 else required_growth > 0 end
            as requires_improvement,
        case
            when polarity = 'lower' then latest_value > baseline_value
            else latest_value < baseline_value
        end as worse_than_baseline,
        case when required_growth <> 0 then observed_growth / required_growth end
            as progress_ratio
    from growth
),

final as (
    select
        doc, line, region_code, indicator_code, breakdown, year, role, target_value,
        baseline_year_used as baseline_year, baseline_value, baseline_source_ref, latest_year,
        latest_value, latest_source_kind, latest_source_ref,
        case
            when target_kind <> 'non_decreasing' and not meets and latest_year < year
                and baseline_value is not null and requires_improvement then progress_ratio
        end as progress_ratio,
        case
            when target_kind = 'non_decreasing' then
                case
                    when n_points < 2 then 'no_data'
                    when any_decrease and latest_year >= year then 'not_achieved'
                    when any_decrease then 'deterioration'
                    when latest_year >= year then 'achieved'
                    else 'on_track'
                end
            when target_value is null or latest_value is null then 'no_data'
            when meets then 'achieved'
            when latest_year >= year then 'not_achieved'
            when baseline_value is null then 'no_data'
            when not requires_improvement then
                case when worse_than_baseline then 'deterioration' else 'limited_progress' end
            when progress_ratio >= 0.95 then 'on_track'
            when progress_ratio >= 0.60 then 'needs_acceleration'
            when progress_ratio >= 0 then 'limited_progress'
            else 'deterioration'
        end as status
    from measured
)

select * from final
"""

PROGRESS_TABLE = """
create table if not exists progress (
    doc varchar, line integer, region_code varchar, indicator_code varchar, breakdown varchar,
    year integer, role varchar, target_value decimal(38, 10), baseline_year integer,
    baseline_value decimal(38, 10), baseline_source_ref varchar, latest_year integer,
    latest_value decimal(38, 10), latest_source_kind varchar, latest_source_ref varchar,
    progress_ratio double, status varchar
)
"""

QUARANTINE = """
create or replace table quarantine as
with

row_problems as (
    select file, line, unnest(problems, recursive := true)
    from judged
    where len(problems) > 0
),

duplicates as (
    select file, line, 'value' as "column", value_text as raw_value, duplicate as reason
    from judged
    where duplicate is not null
)

select * from row_problems
union all
select * from duplicates
"""


# ---------------------------------------------------------------------------------------------
# the night


@dataclass(frozen=True)
class ScannedFile:
    name: str
    path: Path
    sha256: str
    data_lines: int
    identity: FileIdentity | None  # None: changed a moment ago, hashed again next night


def scan(path: Path) -> tuple[str, int]:
    """The file's sha256 and its data lines (a last line without newline counts), one pass."""
    digest, lines, last = hashlib.sha256(), 0, b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return digest.hexdigest(), max(lines + (last != b"\n") - 1, 0)


def header(path: Path) -> list[str]:
    """The header's column names (trimmed, lower case, BOM removed); the required ones checked."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        names = [n.strip().lower() for n in next(csv.reader(fh), [])]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ValueError(f"{path.name}:1: missing required column(s) {', '.join(missing)}")
    return names


def _land(con: duckdb.DuckDBPyConnection, scanned: ScannedFile) -> int:
    names = header(scanned.path)
    columns = "{" + ", ".join(f"'c{i}': 'varchar'" for i in range(len(names))) + "}"
    con.execute(STAGE.format(columns=columns), [str(scanned.path)])
    rows = con.execute("select count(*) from stage").fetchall()[0][0]
    if rows != scanned.data_lines:
        raise ValueError(f"{scanned.name}: records span lines ({rows} of {scanned.data_lines})")
    fields = ", ".join(
        f"c{names.index(c)}" if c in names else "cast(null as varchar)" for c in COLUMNS
    )
    con.execute(LAND.format(fields=fields), [scanned.name])
    con.execute("drop table stage")
    return int(rows)


def floor_night(actuals_dir: Path, plans_csv_dir: Path, database: Path) -> dict[str, object]:
    """One night of the floor on its own database: the first night does everything, a later one
    the files that are new, changed or gone and what they touch. Returns counts and seconds."""
    timings: dict[str, float] = {}
    started, started_at = time.perf_counter(), time.time()
    con = duckdb.connect(str(database))
    try:
        con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
        first = not con.execute(
            "select count(*) from information_schema.tables where table_name = 'files'"
        ).fetchall()[0][0]
        con.execute(TABLES + ";" + PROGRESS_TABLE)
        on_record = {
            file: (sha, identity)
            for file, sha, identity in con.execute(
                "select file, sha256, identity from files"
            ).fetchall()
        }
        paths = sorted(actuals_dir.glob("*.csv"))
        night: list[ScannedFile] = []
        for path in paths:
            identity = FileIdentity.of(path)
            sha_on_record, identity_on_record = on_record.get(path.name, (None, None))
            if identity_on_record == str(identity):  # unchanged on disk: not read again
                continue
            sha, lines = scan(path)
            remembered = identity.settled_before(started_at)  # (eduplan's rule)
            if sha_on_record != sha:
                night.append(
                    ScannedFile(path.name, path, sha, lines, identity if remembered else None)
                )
            elif remembered:  # the same bytes (touched, copied back): its new identity kept
                con.execute(
                    "update files set identity = ? where file = ?", [str(identity), path.name]
                )
        gone = sorted(set(on_record) - {p.name for p in paths})
        timings["hash"] = time.perf_counter() - started
        if not night and not gone:
            return {"files_loaded": 0, "rows_landed": 0, "nothing_new": True, **_t(timings)}
        mark = time.perf_counter()
        con.execute(_lookups_sql())
        con.execute("begin")
        names = [f.name for f in night] + gone
        con.execute("create or replace temp table night_files (file varchar)")
        con.executemany("insert into night_files values (?)", [[n] for n in names])
        scope = "" if first else f"semi join touched using ({', '.join(FIGURE)})"
        if not first:  # the figures the night's files gave before
            con.execute(
                "create or replace temp table touched as select distinct "
                + ", ".join(FIGURE)
                + " from judged where file in (select file from night_files)"
                " and len(problems) = 0"
            )
            for table in ("actuals", "judged"):
                con.execute(f"delete from {table} where file in (select file from night_files)")
        landed = sum(_land(con, f) for f in night)
        timings["load"] = time.perf_counter() - mark
        mark = time.perf_counter()
        con.execute(_judge_sql())
        if not first:  # ... and the figures they give now
            con.execute(
                "insert into touched select distinct "
                + ", ".join(FIGURE)
                + " from judged where file in (select file from night_files)"
                " and len(problems) = 0"
            )
            con.execute("create or replace temp table touched as select distinct * from touched")
            con.execute(
                "update judged set duplicate = null from touched where judged.duplicate is not "
                f"null and {_same_figure('judged', 'touched')}"
            )
        con.execute(DUPLICATES.format(scope=scope))
        con.execute(
            "update judged set duplicate = duplicates.duplicate from duplicates "
            "where judged.file = duplicates.file and judged.line = duplicates.line"
        )
        timings["judge"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if first:
            con.execute(PLANS.format(plans=plans_csv_dir, **_plan_keys()))
        else:
            con.execute(f"delete from facts using touched where {_same_figure('facts', 'touched')}")
        con.execute(FACTS.format(scope=scope))
        con.execute(QUARANTINE)
        timings["facts"] = time.perf_counter() - mark
        mark = time.perf_counter()
        if first:
            targets = ""
        else:
            con.execute(
                "create or replace temp table touched_series as select distinct region_code, "
                "indicator_code, breakdown from touched"
            )
            series = _same_figure("{t}", "touched_series", FIGURE[:3])
            targets = (
                "and exists (select 1 from touched_series where "
                + series.format(t="plan_cells")
                + ")"
            )
            con.execute(
                "delete from progress using touched_series where " + series.format(t="progress")
            )
        con.execute(PROGRESS.format(targets=targets))
        con.execute("delete from files where file in (select file from night_files)")
        con.executemany(
            "insert into files values (?, ?, ?, ?)",
            [[f.name, f.sha256, f.data_lines, f.identity and str(f.identity)] for f in night],
        )
        con.execute("commit")
        con.execute("checkpoint")
        timings["progress"] = time.perf_counter() - mark
        return {"files_loaded": len(night), "rows_landed": landed, "nothing_new": False,
                **counts(con), **_t(timings)}  # fmt: skip
    finally:
        con.close()


def _same_figure(left: str, right: str, columns: tuple[str, ...] = FIGURE) -> str:
    return " and ".join(f"{left}.{c} = {right}.{c}" for c in columns)


def _plan_keys() -> dict[str, str]:
    return {
        "key_indicator": name_key("cells.indicator"),
        "key_breakdown": name_key("cells.breakdown_raw"),
        "key_raw_value": name_key("cells.raw_value"),
    }


def _t(timings: dict[str, float]) -> dict[str, float]:
    return {f"floor_{k}_s": round(v, 2) for k, v in timings.items()}


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of the floor's result tables."""
    row = con.execute(
        "select (select count(*) from actuals), (select count(*) from facts), "
        "(select count(*) from quarantine), (select count(*) from progress), "
        "(select count(latest_value) from progress)"
    ).fetchall()[0]
    return dict(zip(("landed", "facts", "quarantined", "targets", "targets_with_actual"), row,
                    strict=True))  # fmt: skip


def run_floor(csv_files: list[Path], plans_csv_dir: Path, database: Path) -> dict[str, object]:
    """The floor's first night on a fresh database from the folder of csv_files."""
    folders = {p.parent for p in csv_files}
    if len(folders) != 1:
        raise ValueError("the floor reads one folder of actuals")
    return floor_night(folders.pop(), plans_csv_dir, database)

-- depends_on: {{ ref('int_actuals_files_latest') }}
{{ config(
    materialized='incremental',
    incremental_strategy=by_file_strategy(),
    unique_key='source_file',
    partition_by=by_file_partitioning('source_file'),
    on_schema_change='sync_all_columns',
    pre_hook=["{% if is_incremental() %}{{ delete_gone_actuals_files() }}{% endif %}"],
) }}
{#- Indicators whose figure may be negative (a change) or exceed 100% (a gross rate): the
    default range of a percentage, [0, 100], does not hold for them (vocabulary
    range_exception, dbt_project.yml). -#}
{%- set change_words = vocabulary_words('range_exception', 'change') | join('|') -%}
{%- set gross_words = vocabulary_words('range_exception', 'gross') | join('|') -%}
{%- set version = lookup_version() -%}
{#- Every reason a row is held back on its own (duplicates are judged across files, in
    int_actual_figures_repeated): when it applies, then the problem it records as column,
    raw_value, reason and detail (SQL expressions; docs/actuals_contract.md). -#}
{%- set year_range = regex_full_match(
    'year_text', '[0-9]{4}\\s*年?\\s*[-–—~～至到]\\s*[0-9]{4}\\s*年?'
) -%}
{%- set kinds = [] -%}
{%- for kind in vocabulary_codes('source_kind') -%}
    {%- do kinds.append("'" ~ kind ~ "'") -%}
{%- endfor -%}
{%- set checks = [(
    "malformed_text is not null",
    "'*'", "malformed_text", "'malformed_row'", "'wrong number of fields for the header'"
)] -%}
{%- for column, field, detail in [
    ('region', 'region_raw', 'region is required'),
    ('indicator', 'indicator_name_raw', 'indicator is required'),
    ('year', 'year_text', 'year is required'),
    ('value', 'value_text', 'value is required'),
    ('source_url', 'source_url', 'every figure needs its source_url'),
] -%}
    {%- do checks.append((
        "malformed_text is null and " ~ field ~ " is null",
        "'" ~ column ~ "'", "null", "'missing_value'", "'" ~ detail ~ "'"
    )) -%}
{%- endfor -%}
{%- do checks.append((
    "region_raw is not null and region_code is null",
    "'region'", "region_raw", "'unknown_region'",
    "'not a GB/T 2260 code, region name or accepted alias (eduplan names lists candidates)'"
)) -%}
{%- do checks.append((
    "year is null and " ~ year_range,
    "'year'", "year_text", "'year_is_range'", "'a year range is not one year'"
)) -%}
{%- do checks.append((
    "year_text is not null and (year is null or year not between 1949 and 2100) and not "
    ~ year_range,
    "'year'", "year_text", "'year_not_a_year'", "'expected a 4-digit year 1949-2100'"
)) -%}
{#- a plain decimal the warehouse's decimal(38, 10) cannot hold as written: too many integer
    digits (more than 18), or a non-zero figure its 10 decimal places would change (0.000000000001
    stored as 0): out of range, with what it would have become; float noise from a spreadsheet
    (85.100000000000001) is a figure -#}
{%- set too_long = regex_full_match('value_text', '[+-]?[0-9]{19,}(\\.[0-9]*)?') -%}
{%- do checks.append((
    "value_text is not null and value is null and " ~ too_long,
    "'value'", "value_text", "'value_out_of_range'",
    "'more than 18 digits before the decimal point: too large for a figure'"
)) -%}
{%- do checks.append((
    "value is not null and try_cast(value_text as double) <> 0 and abs(cast(value as double) - "
    ~ "try_cast(value_text as double)) > 1e-6 * abs(try_cast(value_text as double))",
    "'value'", "value_text", "'value_out_of_range'",
    "'more decimal places than a figure keeps (10): it would be stored as ' || "
    ~ decimal_text('value', 10)
)) -%}
{%- do checks.append((
    "value_text is not null and value is null and not " ~ too_long,
    "'value'", "value_text", "'value_not_a_number'",
    "case when " ~ regex_contains('value_text', '^[<>≤≥≈约]') ~ " then 'a bound or estimate, "
    ~ "not a figure' else 'expected a plain decimal number (no separators, units or text)' end"
)) -%}
{%- do checks.append((
    "unit_fit = 'no'",
    "'unit'", "unit_as_published", "'unit_not_convertible'",
    "'cannot convert ' || coalesce(unit_as_published, '(no unit)') || ' to the catalogue unit '"
    ~ " || catalogue_unit"
)) -%}
{%- do checks.append((
    "value_in_catalogue_unit < lowest or value_in_catalogue_unit > highest",
    "'value'", "value_text", "'value_out_of_range'",
    "'outside the possible range [' || coalesce(cast(lowest as string), '') || ', ' || "
    ~ "coalesce(cast(highest as string), '') || ']' || coalesce(' ' || value_unit, '')"
)) -%}
{%- do checks.append((
    "source_kind not in (" ~ kinds | join(', ') ~ ") or (source_kind = 'published' and "
    ~ "file_source_kind = 'synthetic')",
    "'source_kind'", "source_kind_raw", "'invalid_source_kind'",
    "'source_kind must be one of the source_kind vocabulary (synthetic_*.csv: synthetic only)'"
)) -%}
{#- each check as a problem struct when it applies, else NULL -#}
{%- set problem_fields = [
    ('column', 'string'), ('raw_value', 'string'), ('reason', 'string'), ('detail', 'string')
] -%}
{%- set problems = [] -%}
{%- for when, column, raw_value, reason, detail in checks -%}
    {%- do problems.append('case when ' ~ when ~ ' then ' ~ struct_of([
        ('column', column),
        ('raw_value', 'cast(' ~ raw_value ~ ' as string)'),
        ('reason', reason),
        ('detail', 'cast(' ~ detail ~ ' as string)'),
    ]) ~ ' end') -%}
{%- endfor -%}
-- One row per landed actuals record, resolved (region, indicator, breakdown), restated in its
-- catalogue unit where the unit differs and a conversion is known (seeds/unit_conversions.csv)
-- and judged on its own: `row_problems` lists every reason the row is held back by itself,
-- empty for a usable row (duplicates across files: int_actual_figures_repeated; both meet in
-- int_actuals_checked).
-- Incremental by file: a night judges only the rows of files loaded since (a new or changed
-- sha256 in raw.actuals_load_audit); rows of a file whose latest load removed or rejected it
-- are deleted (the pre-hook, int_actuals_files_latest); every file is judged again when the
-- rules change (lookup_version()). The expensive per-row work (regular expressions, structs,
-- decimal arithmetic) is done once per landed row, not once a night.

with

current_files as (

    select * from {{ ref('int_actuals_files_latest') }}
    where status = 'loaded'

),

actuals as (

    select stg.*
    from {{ ref('stg_raw__actuals') }} as stg
    -- on an incremental night, only the new and changed files (macros/files_to_judge.sql)
    where {{ files_to_judge('stg.source_file') }}

),

region_names as (

    select * from {{ ref('int_region_names_resolved') }}

),

-- per distinct name, not per row: the range rules that follow from the indicator's name
indicator_names as (

    select
        indicator_name_raw,
        indicator_code,
        alias_breakdown_code,
        {{ regex_contains('indicator_name_raw || indicator_code', change_words) }} as is_change,
        {{ regex_contains('indicator_name_raw || indicator_code', gross_words) }} as is_gross

    from {{ ref('int_indicator_names_resolved') }}

),

breakdown_names as (

    select * from {{ ref('int_breakdown_names_resolved') }}

),

catalogue as (

    select
        indicator_code,
        nullif(unit, '') as catalogue_unit

    from {{ ref('indicators') }}

),

conversions as (

    select
        from_unit,
        to_unit,
        cast(factor as decimal(38, 10)) as factor

    from {{ ref('unit_conversions') }}

),

resolved as (

    select
        actuals.*,
        region_names.region_code,
        indicator_names.indicator_code,
        coalesce(
            breakdown_names.breakdown_code, indicator_names.alias_breakdown_code, 'total'
        ) as breakdown,
        catalogue.catalogue_unit,
        conversions.factor,
        case
            when catalogue.catalogue_unit is null
                or coalesce(actuals.unit, '') = catalogue.catalogue_unit then 'same'
            when conversions.factor is not null then 'convert'
            else 'no'
        end as unit_fit,
        case when indicator_names.is_change then null else 0 end as lowest,
        case
            when indicator_names.is_change or indicator_names.is_gross then null
            when coalesce(catalogue.catalogue_unit, actuals.unit) = '%' then 100
        end as highest

    from actuals
    left join region_names on actuals.region_raw = region_names.region_raw
    left join indicator_names on actuals.indicator_name_raw = indicator_names.indicator_name_raw
    left join breakdown_names on actuals.breakdown_raw = breakdown_names.breakdown_raw
    left join catalogue on indicator_names.indicator_code = catalogue.indicator_code
    left join conversions
        on actuals.unit = conversions.from_unit
        and catalogue.catalogue_unit = conversions.to_unit

),

valued as (

    select
        *,
        case unit_fit
            when 'same' then value
            when 'convert' then cast(value * factor as decimal(38, 10))
        end as value_in_catalogue_unit,
        case when unit_fit = 'convert' then catalogue_unit else unit end as value_unit

    from resolved

),

judged as (

    select
        *,
        -- the list is built only for a row with a problem: most rows have none
        case
            when
                {%- for check in checks %}
                coalesce({{ check[0] }}, false){{ ' or' if not loop.last }}
                {%- endfor %}
                then {{ list_without_nulls(list_of(problems)) }}
            else {{ empty_list_of_structs(problem_fields) }}
        end as row_problems

    from valued

)

-- what later models read (the working columns of the judgement, raw names, year text, unit fit,
-- range bounds and conversion factor, are not kept: every column kept is written again for every
-- row of a new file, and 31 columns cost twice the time of these 18)
select
    ----------  ids
    judged.source_file,
    judged.source_line,

    ----------  the figure, resolved
    judged.region_code,
    judged.indicator_code,
    judged.indicator_name_raw,
    judged.breakdown,
    judged.year,

    ----------  value
    judged.value_text,
    judged.value_in_catalogue_unit,
    judged.value_unit,
    judged.unit_as_published,

    ----------  provenance
    judged.source_kind,
    judged.source_url,
    judged.source_title,

    ----------  judgement
    judged.row_problems,
    current_files.sha256 as load_sha256,
    '{{ version }}' as lookup_version,
    '{{ invocation_id }}' as judged_in

from judged
-- rows landed without an audit (by hand, in tests) have no sha256
left join current_files on judged.source_file = current_files.source_file

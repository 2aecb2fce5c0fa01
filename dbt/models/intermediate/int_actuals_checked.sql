{{ config(materialized='table') }}
{#- Indicators whose figure may be negative (a change) or exceed 100% (a gross rate): the
    default range of a percentage, [0, 100], does not hold for them. -#}
{%- set change_words = '增长|增幅|增速|变化|变动|提高|提升|下降|减少|growth|change' -%}
{%- set gross_words = '毛入学|毛入园|gross' -%}
-- One row per landed actuals record, resolved (region, indicator, breakdown), restated in its
-- catalogue unit where the unit differs and a conversion is known (seeds/unit_conversions.csv)
-- and judged: `problems` lists every reason the row is held back (docs/actuals_contract.md),
-- empty for a usable row. Duplicates are judged among the rows with no other problem, across
-- all files: the same figure twice keeps its first (file, line); different values for one
-- figure hold back every one of them. Nothing is dropped: a row goes on to
-- int_actuals_unioned or to mart_actuals_quarantine. A table, not a view: judged once a night,
-- read by the facts, the quarantine and the tests.

with

actuals as (

    select * from {{ ref('stg_raw__actuals') }}

),

region_names as (

    select * from {{ ref('int_region_names_resolved') }}

),

indicator_names as (

    select * from {{ ref('int_indicator_names_resolved') }}

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
        end as unit_fit

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
        case when unit_fit = 'convert' then catalogue_unit else unit end as value_unit,
        case
            when regexp_matches(
                coalesce(indicator_name_raw, '') || indicator_code, '{{ change_words }}'
            ) then null
            else 0
        end as lowest,
        case
            when regexp_matches(
                coalesce(indicator_name_raw, '') || indicator_code,
                '{{ change_words }}|{{ gross_words }}'
            ) then null
            when coalesce(catalogue_unit, unit) = '%' then 100
        end as highest

    from resolved

),

judged as (

    select
        *,
        list_filter([
            case when malformed_text is not null then {
                'column': '*', 'raw_value': malformed_text, 'reason': 'malformed_row',
                'detail': 'wrong number of fields for the header'
            } end,
            {%- for column, field, detail in [
                ('region', 'region_raw', 'region is required'),
                ('indicator', 'indicator_name_raw', 'indicator is required'),
                ('year', 'year_text', 'year is required'),
                ('value', 'value_text', 'value is required'),
                ('source_url', 'source_url', 'every figure needs its source_url'),
            ] %}
            case when malformed_text is null and {{ field }} is null then {
                'column': '{{ column }}', 'raw_value': null, 'reason': 'missing_value',
                'detail': '{{ detail }}'
            } end,
            {%- endfor %}
            case when region_raw is not null and region_code is null then {
                'column': 'region', 'raw_value': region_raw, 'reason': 'unknown_region',
                'detail': 'not a GB/T 2260 code, region name or accepted alias '
                    || '(eduplan names lists candidates)'
            } end,
            case
                when regexp_full_match(
                    year_text, '[0-9]{4}\s*年?\s*[-–—~～至到]\s*[0-9]{4}\s*年?'
                ) then {
                    'column': 'year', 'raw_value': year_text, 'reason': 'year_is_range',
                    'detail': 'a year range is not one year'
                }
                when year_text is not null and (year is null or year not between 1949 and 2100)
                    then {
                        'column': 'year', 'raw_value': year_text, 'reason': 'year_not_a_year',
                        'detail': 'expected a 4-digit year 1949-2100'
                    }
            end,
            case when value_text is not null and value is null then {
                'column': 'value', 'raw_value': value_text, 'reason': 'value_not_a_number',
                'detail': case
                    when regexp_matches(value_text, '^[<>≤≥≈约]')
                        then 'a bound or estimate, not a figure'
                    else 'expected a plain decimal number (no separators, units or text)'
                end
            } end,
            case when unit_fit = 'no' then {
                'column': 'unit', 'raw_value': unit_as_published, 'reason': 'unit_not_convertible',
                'detail': 'cannot convert ' || coalesce(unit_as_published, '(no unit)')
                    || ' to the catalogue unit ' || catalogue_unit
            } end,
            case
                when value_in_catalogue_unit < lowest or value_in_catalogue_unit > highest then {
                    'column': 'value', 'raw_value': value_text, 'reason': 'value_out_of_range',
                    'detail': 'outside the possible range ['
                        || coalesce(cast(lowest as varchar), '') || ', '
                        || coalesce(cast(highest as varchar), '') || ']'
                        || coalesce(' ' || value_unit, '')
                }
            end,
            case
                when source_kind not in (
                    {%- for kind in vocabulary_codes('source_kind') %}
                    '{{ kind }}'{{ ',' if not loop.last }}
                    {%- endfor %}
                ) or (source_kind = 'published' and file_source_kind = 'synthetic') then {
                    'column': 'source_kind', 'raw_value': source_kind_raw,
                    'reason': 'invalid_source_kind',
                    'detail': 'source_kind must be one of the source_kind vocabulary '
                        || '(synthetic_*.csv: synthetic only)'
                }
            end
        ], lambda problem: problem is not null) as row_problems

    from valued

),

-- the same figure: region, indicator, breakdown and year, among the rows with no other problem
figures as (

    select
        region_code,
        indicator_code,
        breakdown,
        year,
        count(distinct value_in_catalogue_unit) as values_given,
        arg_min(source_file || ':' || source_line, (source_file, source_line)) as first_ref

    from judged
    where len(row_problems) = 0
    group by region_code, indicator_code, breakdown, year
    having count(*) > 1

),

flagged as (

    select
        judged.* exclude (row_problems),  -- noqa: RF02
        judged.row_problems || case
            when figures.values_given > 1 then [{
                'column': 'value', 'raw_value': judged.value_text,
                'reason': 'duplicate_disagrees',
                'detail': 'the same figure has different values (first at '
                    || figures.first_ref || ')'
            }]
            when figures.first_ref <> judged.source_file || ':' || judged.source_line then [{
                'column': 'value', 'raw_value': judged.value_text, 'reason': 'duplicate_row',
                'detail': 'the same figure is already at ' || figures.first_ref
            }]
            else []
        end as problems

    from judged
    left join figures
        on len(judged.row_problems) = 0
        and judged.region_code = figures.region_code
        and judged.indicator_code = figures.indicator_code
        and judged.breakdown = figures.breakdown
        and judged.year = figures.year

)

select
    *,
    source_file || ':' || source_line as source_ref,
    len(problems) > 0 as is_held_back

from flagged

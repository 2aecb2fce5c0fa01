-- Plan value cells with canonical indicator and breakdown codes, the plan's region, the table's
-- period, and attribute / evaluation in English. Every raw cell is kept (baselines included).

with

cells as (

    select * from {{ ref('stg_raw__plan_cells') }}

),

documents as (

    select plan_id, region_code from {{ ref('stg_raw__plan_documents') }}

),

tables as (

    select plan_id, table_no, period_start_year, period_end_year
    from {{ ref('stg_raw__plan_tables') }}

),

-- the plans' own names, resolved by the rules int_indicator_names_resolved and
-- int_breakdown_names_resolved apply to every name (macros/names_resolved.sql): not read from
-- those, which hold the actuals' names too, so that new actuals leave the plans' models alone

plan_indicator_names as (

    select distinct indicator_name_raw from cells

),

indicator_names as (

    select * from {{ resolve_indicator_names('plan_indicator_names') }} as resolved

),

plan_breakdown_labels as (

    select distinct breakdown_raw from cells

),

breakdown_names as (

    select * from {{ resolve_breakdown_labels('plan_breakdown_labels') }} as resolved

),

normalized as (

    select
        ----------  ids
        cells.plan_id,
        cells.table_no,
        cells.row_order,
        documents.region_code,
        indicator_names.indicator_code,
        coalesce(
            breakdown_names.breakdown_code, indicator_names.alias_breakdown_code, 'total'
        ) as breakdown,
        cells.year,
        cells.role,

        ----------  as written
        cells.category_raw,
        cells.indicator_name_raw,
        cells.breakdown_raw,
        cells.unit,

        ----------  value
        cells.raw_value,
        cells.comparator,
        cells.value,
        cells.value_upper,
        cells.is_approximate,
        cells.is_cumulative,
        case
            when cells.value is not null then 'numeric'
            when {{ name_key('cells.raw_value') }} = '逐年只增不减' then 'non_decreasing'
            else 'text'
        end as value_kind,
        -- words as written -> codes, by the vocabulary of dbt_project.yml (约束性 -> binding)
        {{ vocabulary_code('attribute', 'cells.attribute_raw') }} as attribute,
        {{ vocabulary_code('evaluation', 'cells.evaluation_raw') }} as evaluation_reported,

        ----------  the table's period: baselines describe the year before it starts
        tables.period_start_year,
        tables.period_end_year,
        tables.period_start_year - 1 as baseline_year,

        ----------  provenance
        cells.source_file,
        cells.source_line,
        cells.source_ref,
        cells.needs_review

    from cells
    left join documents on cells.plan_id = documents.plan_id
    left join tables
        on cells.plan_id = tables.plan_id
        and cells.table_no = tables.table_no
    left join indicator_names on cells.indicator_name_raw = indicator_names.indicator_name_raw
    left join breakdown_names on cells.breakdown_raw = breakdown_names.breakdown_raw

)

select * from normalized

-- Observed values from two sources, on one grain: plan baselines (the value a plan states for the
-- year before its period, source_kind = 'plan_baseline') and loaded actuals (published or
-- synthetic). Actuals are converted to the catalogue unit where the unit differs and a
-- conversion is known (155.63 亿元 -> 1556300 万元); otherwise the unit is kept and
-- unit_matches_catalogue is false, which keeps the figure out of progress measures.

with

plan_cells as (

    select * from {{ ref('int_plan_cells_normalized') }}

),

actuals as (

    select * from {{ ref('stg_raw__actuals') }}

),

indicator_names as (

    select * from {{ ref('int_indicator_names_resolved') }}

),

breakdown_names as (

    select * from {{ ref('int_breakdown_names_resolved') }}

),

catalogue as (

    select indicator_code, unit as catalogue_unit from {{ ref('indicators') }}

),

conversions as (

    select from_unit, to_unit, cast(factor as decimal(38, 10)) as factor
    from {{ ref('unit_conversions') }}

),

plan_baselines as (

    select
        plan_cells.region_code,
        plan_cells.indicator_code,
        plan_cells.indicator_name_raw,
        plan_cells.breakdown,
        plan_cells.year,
        plan_cells.value,
        plan_cells.raw_value as value_text,
        coalesce(plan_cells.unit, catalogue.catalogue_unit) as unit,
        plan_cells.unit as unit_as_published,
        'plan_baseline' as source_kind,
        -- file:line for text plans, file:table 1, row 3, column 4 (or page ...) for the others
        plan_cells.source_file || ':'
        || coalesce(cast(plan_cells.source_line as varchar), plan_cells.source_ref) as source_ref,
        cast(null as varchar) as source_url,
        plan_cells.plan_id as source_title

    from plan_cells
    left join catalogue on plan_cells.indicator_code = catalogue.indicator_code
    where plan_cells.role = 'baseline'
        and plan_cells.value is not null

),

loaded_actuals as (

    select
        actuals.region_code,
        indicator_names.indicator_code,
        actuals.indicator_name_raw,
        coalesce(
            breakdown_names.breakdown_code, indicator_names.alias_breakdown_code, 'total'
        ) as breakdown,
        actuals.year,
        case
            when conversions.factor is not null
                then cast(actuals.value * conversions.factor as decimal(38, 10))
            else actuals.value
        end as value,
        actuals.value_text,
        case
            when conversions.factor is not null then conversions.to_unit
            else {{ unit_key('actuals.unit') }}
        end as unit,
        actuals.unit_as_published,
        actuals.source_kind,
        actuals.source_file || ':' || actuals.source_line as source_ref,
        actuals.source_url,
        actuals.source_title

    from actuals
    left join indicator_names on actuals.indicator_name_raw = indicator_names.indicator_name_raw
    left join breakdown_names on actuals.breakdown_raw = breakdown_names.breakdown_raw
    left join catalogue on indicator_names.indicator_code = catalogue.indicator_code
    left join conversions
        on {{ unit_key('actuals.unit') }} = conversions.from_unit
        and catalogue.catalogue_unit = conversions.to_unit
    -- rows the loader could not place in a region are held back there (quarantine)
    where actuals.region_code is not null

),

unioned as (

    select * from plan_baselines
    union all
    select * from loaded_actuals

),

flagged as (

    select
        unioned.*,
        catalogue.catalogue_unit is null
            or unioned.unit is null
            or unioned.unit = catalogue.catalogue_unit as unit_matches_catalogue

    from unioned
    left join catalogue on unioned.indicator_code = catalogue.indicator_code

)

select * from flagged

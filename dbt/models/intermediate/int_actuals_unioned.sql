-- Observed values from two sources, on one grain: figures the plans state (a baseline, the
-- value for the year before the period, source_kind = 'plan_baseline'; a figure the plan reports
-- as achieved, role actual, source_kind = 'plan_reported') and the usable actuals of
-- int_actuals_checked (published or synthetic), already resolved and restated in their
-- catalogue unit where a conversion is known (155.63 亿元 -> 1556300 万元); a figure whose unit
-- matches no catalogue unit never gets here (held back as unit_not_convertible).

with

plan_cells as (

    select * from {{ ref('int_plan_cells_normalized') }}

),

actuals as (

    select * from {{ ref('int_actuals_checked') }}
    where not is_held_back

),

catalogue as (

    select indicator_code, unit as catalogue_unit from {{ ref('indicators') }}

),

plan_figures as (

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
        case plan_cells.role
            when 'baseline' then 'plan_baseline'
            when 'actual' then 'plan_reported'
        end as source_kind,
        -- file:line for text plans, file:table 1, row 3, column 4 (or page ...) for the others
        plan_cells.source_file || ':'
        || coalesce(cast(plan_cells.source_line as string), plan_cells.source_ref) as source_ref,
        cast(null as string) as source_url,
        plan_cells.plan_id as source_title

    from plan_cells
    left join catalogue on plan_cells.indicator_code = catalogue.indicator_code
    where plan_cells.role in ('baseline', 'actual')
        and plan_cells.value is not null
        -- a five-year total (〔20〕) is not the year's level
        and not plan_cells.is_cumulative

),

loaded_actuals as (

    select
        region_code,
        indicator_code,
        indicator_name_raw,
        breakdown,
        year,
        value_in_catalogue_unit as value,
        value_text,
        value_unit as unit,
        unit_as_published,
        source_kind,
        source_ref,
        source_url,
        source_title

    from actuals

),

unioned as (

    select * from plan_figures
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

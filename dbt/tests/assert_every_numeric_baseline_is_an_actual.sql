-- Every numeric baseline cell of a plan is an actual of the plan's region (source_kind
-- plan_baseline), and so is every numeric figure a plan reports itself (role actual,
-- source_kind plan_reported), with the exact value written; a five-year total is not a level.
-- The fact's plan figures are read by their source_kind alone first (a filter the scan of ten
-- million rows applies to whole row groups), then matched.
{%- set derived = [] %}
{%- for kind in vocabulary_codes('derived_source_kind') %}
    {%- do derived.append("'" ~ kind ~ "'") %}
{%- endfor %}

with

cells as (

    select * from {{ ref('int_plan_cells_normalized') }}
    where role in ('baseline', 'actual')
        and value is not null
        and not is_cumulative

),

plan_figures as (

    select * from {{ ref('fct_indicator_actual') }}
    where source_kind in ({{ derived | join(', ') }})

)

select
    cells.plan_id,
    cells.indicator_code,
    cells.breakdown,
    cells.year,
    cells.role,
    cells.value,
    cells.source_line

from cells
left join plan_figures as actuals
    on actuals.source_kind = case cells.role
        when 'baseline' then 'plan_baseline'
        when 'actual' then 'plan_reported'
    end
    and coalesce(
        cells.source_file || ':' || cells.source_line,
        cells.source_file || ':' || cells.source_ref
    ) = actuals.source_ref
    and cells.region_code = actuals.region_code
    and cells.indicator_code = actuals.indicator_code
    and cells.breakdown = actuals.breakdown
    and cells.year = actuals.year
    and cells.value = actuals.value
where actuals.source_ref is null

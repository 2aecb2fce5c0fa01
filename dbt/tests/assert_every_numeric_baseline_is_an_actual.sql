-- Every numeric baseline cell of a plan is an actual of the plan's region (source_kind
-- plan_baseline), with the exact value written.
select
    cells.plan_id,
    cells.indicator_code,
    cells.breakdown,
    cells.year,
    cells.value,
    cells.source_line

from {{ ref('int_plan_cells_normalized') }} as cells
left join {{ ref('fct_indicator_actual') }} as actuals
    on actuals.source_kind = 'plan_baseline'
    and actuals.source_ref
    = cells.source_file || ':' || coalesce(cast(cells.source_line as varchar), cells.source_ref)
    and actuals.region_code = cells.region_code
    and actuals.indicator_code = cells.indicator_code
    and actuals.breakdown = cells.breakdown
    and actuals.year = cells.year
    and actuals.value = cells.value
where cells.role = 'baseline'
    and cells.value is not null
    and actuals.source_ref is null

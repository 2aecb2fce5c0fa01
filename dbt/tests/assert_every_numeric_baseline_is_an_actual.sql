-- Every numeric baseline cell of a plan is an actual of the plan's region (source_kind
-- plan_baseline), and so is every numeric figure a plan reports itself (role actual,
-- source_kind plan_reported), with the exact value written; a five-year total is not a level.
select
    cells.plan_id,
    cells.indicator_code,
    cells.breakdown,
    cells.year,
    cells.role,
    cells.value,
    cells.source_line

from {{ ref('int_plan_cells_normalized') }} as cells
left join {{ ref('fct_indicator_actual') }} as actuals
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
where cells.role in ('baseline', 'actual')
    and cells.value is not null
    and not cells.is_cumulative
    and actuals.source_ref is null

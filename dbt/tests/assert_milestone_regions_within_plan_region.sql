-- A schedule's district columns are the plan region's own children (or the region itself).
select
    milestones.plan_id,
    milestones.region_raw,
    milestones.region_code,
    plans.region_code as plan_region_code

from {{ ref('fct_milestone') }} as milestones
inner join {{ ref('dim_plan') }} as plans on milestones.plan_id = plans.plan_id
left join {{ ref('dim_region') }} as regions on milestones.region_code = regions.region_code
where milestones.region_code <> plans.region_code
    and regions.parent_region_code is distinct from plans.region_code

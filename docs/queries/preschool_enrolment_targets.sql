-- 学前三年毛入园率 targets across all regions, whatever each plan called it
-- (学前三年毛入园率 / 学前三年入园率 / 学前教育毛入园率), with their progress status.
select
    r.region_name_zh,
    t.plan_id,
    t.indicator_name_raw,
    t.year,
    t.role,
    t.target_text,
    p.baseline_value,
    p.latest_year,
    p.latest_value,
    p.status
from marts.fct_indicator_target as t
inner join marts.dim_region as r using (region_code)
inner join marts.mart_indicator_progress as p using (target_id)
where t.indicator_code = 'preschool_gross_enrolment_rate'
order by t.region_code, t.year, t.role;

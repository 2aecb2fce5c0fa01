-- The binding (约束性) targets Haining (330481) is behind on: the latest actual is off the
-- path from the baseline to the target, or the target year passed without meeting it.
select
    p.year,
    i.indicator_name_zh,
    p.breakdown,
    p.target_text,
    p.baseline_year,
    p.baseline_value,
    p.latest_year,
    p.latest_value,
    round(p.progress_ratio, 2) as progress_ratio,
    p.status
from marts.mart_indicator_progress as p
inner join marts.dim_indicator as i using (indicator_code)
where p.region_code = '330481'
    and p.attribute = 'binding'
    and p.is_behind
order by p.year, p.indicator_code, p.breakdown;

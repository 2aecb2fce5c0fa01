-- Haining's 十三五 targets (2016-2020): the status computed from the 2020 values of the 十四五
-- table beside the plan's own 完成/未完成, and whether they disagree.
select
    p.indicator_name_raw,
    p.breakdown,
    p.target_text,
    p.baseline_value as value_2015,
    p.latest_value as value_2020,
    p.status as status_computed,
    p.evaluation_reported as status_reported,
    p.status_disagrees_with_reported as disagrees
from marts.mart_indicator_progress as p
where p.region_code = '330481'
    and p.year = 2020
    and p.role = 'target'
order by p.source_line;

"""The README's three questions (docs/queries/) answered from the raw rows, without the marts:
plan cells and landed actuals text, names resolved by join on the seeds at query time, the
latest figure found by scanning every landed row. What an analyst would have to write (and
wait for) if the night did not build the marts; benchmarks/bench_night.py times both."""

from __future__ import annotations

# targets of the plans with their region and canonical indicator, and for each the latest
# landed figure up to its year (region written as code or name; indicator by alias)
_RAW = """
with

aliases as (
    select indicator_name_raw, indicator_code from seeds.indicator_aliases
),

targets as (
    select
        cells.plan_id, documents.region_code, regions.region_name_zh, cells.indicator,
        coalesce(exact.indicator_code, stripped.indicator_code) as indicator_code,
        cells.breakdown, cells.year, cells.role, cells.raw_value, cells.attribute, cells.line,
        cells.evaluation
    from raw.plan_cells as cells
    inner join raw.plan_documents as documents using (plan_id)
    inner join seeds.regions as regions on documents.region_code = regions.region_code
    left join aliases as exact on cells.indicator = exact.indicator_name_raw
    left join aliases as stripped
        on regexp_replace(cells.indicator, '[（(][^）)]*[）)]$', '') = stripped.indicator_name_raw
    where cells.role <> 'baseline' and {target_filter}
),

landed as (
    select
        coalesce(by_code.region_code, by_name.region_code) as region_code,
        aliases.indicator_code,
        try_cast(actuals.year as integer) as year,
        try_cast(actuals.value as decimal(38, 10)) as value
    from raw.actuals as actuals
    inner join aliases on trim(actuals.indicator) = aliases.indicator_name_raw
    left join seeds.regions as by_code on trim(actuals.region) = by_code.region_code
    left join seeds.regions as by_name on trim(actuals.region) = by_name.region_name_zh
    where coalesce(nullif(trim(actuals.breakdown), ''), '') = ''
)

select
    targets.region_name_zh, targets.plan_id, targets.indicator, targets.year, targets.role,
    targets.raw_value, targets.evaluation,
    max(landed.year) as latest_year,
    arg_max(landed.value, landed.year) as latest_value
from targets
left join landed
    on targets.region_code = landed.region_code
    and targets.indicator_code = landed.indicator_code
    and landed.year <= targets.year
group by all
order by all
"""

RAW_QUESTIONS = {
    "haining_binding_behind": _RAW.format(
        target_filter="documents.region_code = '330481' and cells.attribute = '约束性'"
    ),
    "preschool_enrolment_targets": _RAW.format(
        target_filter="coalesce(exact.indicator_code, stripped.indicator_code) "
        "= 'preschool_gross_enrolment_rate'"
    ),
    "haining_13th_plan_evaluation": _RAW.format(
        target_filter="documents.region_code = '330481' and cells.year = 2020 "
        "and cells.role = 'target'"
    ),
}

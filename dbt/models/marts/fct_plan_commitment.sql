-- Targets stated in prose: one row per number a plan's body text commits to, with its quote and
-- line, the indicator its subject resolves to (null when none) and the table target it restates
-- (same plan, indicator, breakdown, year and value), so that a restated number is not counted
-- twice.

with

commitments as (

    select * from {{ ref('int_commitments_resolved') }}

),

targets as (

    select * from {{ ref('fct_indicator_target') }}

),

restated as (

    select
        commitments.plan_id,
        commitments.commitment_no,
        min(targets.target_id) as restates_target_id

    from commitments
    inner join targets
        on commitments.plan_id = targets.plan_id
        and commitments.indicator_code = targets.indicator_code
        and commitments.breakdown = targets.breakdown
        and commitments.year = targets.year
        and commitments.value = targets.target_value
    group by commitments.plan_id, commitments.commitment_no

),

final as (

    select
        ----------  key
        commitments.plan_id || '|' || commitments.commitment_no as commitment_id,
        commitments.plan_id,
        commitments.commitment_no,
        commitments.region_code,
        commitments.indicator_code,
        commitments.breakdown,
        commitments.year,
        commitments.year_basis,

        ----------  the commitment
        commitments.subject_raw,
        commitments.quote,
        commitments.section,
        commitments.comparator,
        commitments.value,
        commitments.value_upper,
        commitments.value_text,
        commitments.unit,
        commitments.is_change,
        commitments.per,
        commitments.direction,
        commitments.is_approximate,
        commitments.indicator_code is not null as is_resolved,
        restated.restates_target_id,
        restated.restates_target_id is not null as restates_table_target,

        ----------  provenance
        commitments.source_file,
        commitments.source_line,
        commitments.source_ref

    from commitments
    left join restated
        on commitments.plan_id = restated.plan_id
        and commitments.commitment_no = restated.commitment_no

)

select * from final

-- Each target stated in prose beside the latest actual and a progress status.
-- A commitment that restates a table target takes that target's status from
-- mart_indicator_progress (one number, one status). Any other resolved level commitment (a
-- level, count or share for a year: not a change in points, not a standing norm) is measured
-- the way mart_indicator_progress measures a table target (docs/progress_method.md): the latest
-- actual against the comparator (achieved / not_achieved once its year is reached), else the
-- observed growth from the baseline (the latest actual up to the year before the plan) over the
-- growth the path to the target requires, with the same path macros (macros/progress_path.sql)
-- and the same status rules (macros/progress_path.sql level_status). Unresolved commitments,
-- changes and norms are kept with status null.

with

commitments as (

    select * from {{ ref('fct_plan_commitment') }}

),

plans as (

    select plan_id, period_start_year from {{ ref('dim_plan') }}

),

table_progress as (

    select target_id, baseline_value, latest_year, latest_value, latest_source_ref, status,
        status_method
    from {{ ref('mart_indicator_progress') }}

),

indicators as (

    select indicator_code, polarity from {{ ref('dim_indicator') }}

),

actuals as (

    select region_code, indicator_code, breakdown, year, value, source_kind, source_ref
    from {{ ref('fct_indicator_actual') }}
    where value is not null
        and unit_matches_catalogue

),

measurable as (

    select
        commitments.*,
        plans.period_start_year - 1 as baseline_year,
        coalesce(indicators.polarity, 'higher') as polarity

    from commitments
    inner join plans on commitments.plan_id = plans.plan_id
    left join indicators on commitments.indicator_code = indicators.indicator_code
    where commitments.is_resolved
        and not commitments.restates_table_target
        and not commitments.is_change
        and commitments.year is not null
        and commitments.value is not null

),

ranked_actuals as (

    select
        measurable.commitment_id,
        actuals.year,
        actuals.value,
        actuals.source_ref,
        actuals.year <= measurable.baseline_year as is_baseline,
        row_number() over (
            partition by measurable.commitment_id, actuals.year <= measurable.baseline_year
            order by
                actuals.year desc,
                {{ source_kind_preference('actuals.source_kind') }} asc,
                actuals.source_ref asc
        ) as recency

    from measurable
    inner join actuals
        on measurable.region_code = actuals.region_code
        and measurable.indicator_code = actuals.indicator_code
        and measurable.breakdown = actuals.breakdown
        and measurable.year >= actuals.year

),

measured as (

    select
        measurable.*,
        baseline.year as baseline_year_used,
        baseline.value as baseline_value,
        latest.year as latest_year,
        latest.value as latest_value,
        latest.source_ref as latest_source_ref,
        {{ path_is_compound('baseline.value', 'measurable.value') }} as uses_cagr

    from measurable
    left join ranked_actuals as baseline
        on measurable.commitment_id = baseline.commitment_id
        and baseline.is_baseline
        and baseline.recency = 1
    left join ranked_actuals as latest
        on measurable.commitment_id = latest.commitment_id
        and not latest.is_baseline
        and latest.recency = 1

),

compared as (

    select
        *,
        {{ meets_target('latest_value', 'comparator', 'value', 'polarity') }}
            as latest_meets_target,
        case
            when baseline_value is not null and latest_value is not null then
                {{ path_growth('baseline_value', 'latest_value',
                               'cast(latest_year - baseline_year_used as double)',
                               'coalesce(uses_cagr, false)') }}
        end as observed_growth,
        case
            when baseline_value is not null then
                {{ path_growth('baseline_value', 'value',
                               'cast(year - baseline_year_used as double)',
                               'coalesce(uses_cagr, false)') }}
        end as required_growth

    from measured

),

judged as (

    select
        *,
        {{ requires_improvement('polarity', 'required_growth') }} as requires_improvement,
        {{ worse_than_baseline('polarity', 'latest_value', 'baseline_value') }}
            as worse_than_baseline,
        {{ progress_ratio('observed_growth', 'required_growth') }} as progress_ratio

    from compared

),

statused as (

    select
        commitment_id,
        baseline_value,
        latest_year,
        latest_value,
        latest_source_ref,
        {{ level_status('value', 'latest_value', 'latest_meets_target', 'latest_year', 'year',
                        'baseline_value', 'requires_improvement', 'worse_than_baseline',
                        'progress_ratio') }} as status,
        {{ level_status_method('value', 'latest_value', 'latest_meets_target', 'latest_year',
                               'year', 'baseline_value', 'requires_improvement',
                               'coalesce(uses_cagr, false)') }} as status_method

    from judged

),

final as (

    select
        ----------  key
        commitments.commitment_id,
        commitments.plan_id,
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
        commitments.unit,
        commitments.is_change,
        commitments.per,
        commitments.is_resolved,
        commitments.restates_target_id,

        ----------  progress (the restated table target's, else its own)
        coalesce(table_progress.baseline_value, statused.baseline_value) as baseline_value,
        coalesce(table_progress.latest_year, statused.latest_year) as latest_year,
        coalesce(table_progress.latest_value, statused.latest_value) as latest_value,
        coalesce(table_progress.latest_source_ref, statused.latest_source_ref)
            as latest_source_ref,
        coalesce(table_progress.status, statused.status) as status,
        coalesce(table_progress.status_method, statused.status_method) as status_method,

        ----------  provenance
        commitments.source_file,
        commitments.source_line,
        commitments.source_ref

    from commitments
    left join table_progress on commitments.restates_target_id = table_progress.target_id
    left join statused on commitments.commitment_id = statused.commitment_id

)

select * from final

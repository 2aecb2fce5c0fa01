-- Each plan target and milestone beside the latest actual and a progress status.
-- Method (docs/progress_method.md): Open SDG's progress measure. The observed compound annual
-- growth rate (CAGR) from the baseline to the latest actual is divided by the CAGR required to
-- go from the baseline to the target in the target year; ratio >= 0.95 on_track,
-- 0.60-0.95 needs_acceleration, 0-0.60 limited_progress, < 0 deterioration. A latest value that
-- satisfies the comparator is achieved; a target whose year has been reached and is not met is
-- not_achieved. Linear annual change replaces the CAGR where the baseline or the target is zero
-- or negative (decided per target, whether or not actuals exist).
-- `逐年只增不减` targets compare each year with the previous one. DOUBLE only inside the
-- growth arithmetic; values stay DECIMAL.

with

targets as (

    select * from {{ ref('fct_indicator_target') }}

),

indicators as (

    select indicator_code, polarity from {{ ref('dim_indicator') }}

),

-- the baseline, the latest actual and the year-over-year points of each target that has any
-- (int_target_actuals_matched -> int_target_observations_chosen -> int_targets_observed)
observed as (

    select * from {{ ref('int_targets_observed') }}

),

joined as (

    select
        targets.*,
        coalesce(indicators.polarity, 'higher') as polarity,
        observed.baseline_year_used,
        observed.baseline_value,
        observed.baseline_source_ref,
        observed.latest_year,
        observed.latest_value,
        observed.latest_source_kind,
        observed.latest_source_ref,
        coalesce(observed.n_points, 0) as n_points,
        coalesce(observed.any_decrease, false) as any_decrease

    from targets
    left join indicators on targets.indicator_code = indicators.indicator_code
    left join observed on targets.target_id = observed.target_id

),

compared as (

    select
        *,
        {{ meets_target('latest_value', 'comparator', 'target_value', 'polarity') }}
            as latest_meets_target,
        -- the method belongs to the target (its baseline and target), not to whether an actual
        -- exists yet: required_growth means the same for a no_data target as for one with data
        coalesce({{ path_is_compound('baseline_value', 'target_value') }}, false) as uses_cagr,
        -- the required path (drawn by the report) follows the same method
        coalesce({{ path_is_compound('baseline_value', 'target_value') }}, false)
            as path_is_compound,
        cast(latest_year - baseline_year_used as double) as observed_years,
        cast(year - baseline_year_used as double) as required_years

    from joined

),

growth as (

    select
        *,
        case
            -- a value that fell to zero or below lost everything: the compound rate's limit
            when uses_cagr and latest_value <= 0 then -1.0
            else {{ path_growth('baseline_value', 'latest_value', 'observed_years', 'uses_cagr') }}
        end as observed_growth,
        {{ path_growth('baseline_value', 'target_value', 'required_years', 'uses_cagr') }}
            as required_growth,
        {{ path_growth('baseline_value', 'target_value', 'required_years', 'path_is_compound') }}
            as path_growth

    from compared

),

measured as (

    select
        *,
        -- the required move goes the way the polarity calls progress (else: a floor to keep)
        {{ requires_improvement('polarity', 'required_growth') }} as requires_improvement,
        {{ worse_than_baseline('polarity', 'latest_value', 'baseline_value') }}
            as worse_than_baseline,
        {{ progress_ratio('observed_growth', 'required_growth') }} as progress_ratio,
        -- the value the straight (compound) path from baseline to target expects in the latest
        -- year: how a 2022 milestone or a mid-period actual is read against the path
        {{ path_value('baseline_value', 'required_growth', 'latest_year - baseline_year_used',
                      'uses_cagr') }} as path_value_at_latest_year

    from growth

),

statused as (

    select
        *,
        case
            when target_kind = 'non_decreasing' then
                case
                    when n_points < 2 then 'no_data'
                    when any_decrease and latest_year >= year then 'not_achieved'
                    when any_decrease then 'deterioration'
                    when latest_year >= year then 'achieved'
                    else 'on_track'
                end
            else {{ level_status('target_value', 'latest_value', 'latest_meets_target',
                                 'latest_year', 'year', 'baseline_value',
                                 'requires_improvement', 'worse_than_baseline',
                                 'progress_ratio') }}
        end as status,
        case
            when target_kind = 'non_decreasing' then 'year_over_year'
            else {{ level_status_method('target_value', 'latest_value', 'latest_meets_target',
                                        'latest_year', 'year', 'baseline_value',
                                        'requires_improvement', 'uses_cagr') }}
        end as status_method

    from measured

),

final as (

    select
        ----------  key
        target_id,
        plan_id,
        region_code,
        indicator_code,
        breakdown,
        year,
        role,

        ----------  target
        indicator_name_raw,
        attribute,
        comparator,
        target_value,
        target_text,
        target_kind,
        polarity,

        ----------  baseline and latest actual
        baseline_year_used as baseline_year,
        baseline_value,
        baseline_source_ref,
        latest_year,
        latest_value,
        latest_source_kind,
        latest_source_ref,
        n_points,

        ----------  measure
        observed_growth,
        required_growth,
        case when status_method in ('cagr_ratio', 'linear_ratio') then progress_ratio end
            as progress_ratio,
        path_value_at_latest_year,
        path_is_compound,
        path_growth,
        status_method,
        status,
        status in ('needs_acceleration', 'limited_progress', 'deterioration', 'not_achieved')
            as is_behind,

        ----------  the plan's own evaluation
        evaluation_reported,
        case
            when evaluation_reported is null or status = 'no_data' then null
            else (evaluation_reported = 'achieved') <> (status = 'achieved')
        end as status_disagrees_with_reported,

        ----------  provenance
        source_file,
        source_line,
        source_ref

    from statused

)

select * from final

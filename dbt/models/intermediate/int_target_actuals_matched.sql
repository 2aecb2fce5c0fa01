-- The actuals each plan target or milestone can read: one row per target and usable actual
-- (a value, in the catalogue unit) of its region, indicator and breakdown, either a baseline
-- candidate (at or before the target table's baseline year) or an observation (after it, up to
-- the target year). The one join of the targets with every actual, so the choices downstream
-- (int_target_observations_chosen) read a few rows per target.

with

targets as (

    select
        target_id,
        region_code,
        indicator_code,
        breakdown,
        year,
        baseline_year,
        source_file

    from {{ ref('fct_indicator_target') }}

),

actuals as (

    select
        region_code,
        indicator_code,
        breakdown,
        year,
        value,
        source_kind,
        source_ref

    from {{ ref('fct_indicator_actual') }}
    where value is not null
        and unit_matches_catalogue

),

final as (

    select
        targets.target_id,
        actuals.year,
        actuals.year <= targets.baseline_year as is_baseline_candidate,
        actuals.value,
        actuals.source_kind,
        actuals.source_ref,
        {{ text_starts_with('actuals.source_ref', "targets.source_file || ':'") }}
            as is_from_target_plan

    from targets
    inner join actuals
        on targets.region_code = actuals.region_code
        and targets.indicator_code = actuals.indicator_code
        and targets.breakdown = actuals.breakdown
        and (
            targets.baseline_year >= actuals.year
            or (targets.baseline_year < actuals.year and targets.year >= actuals.year)
        )

)

select * from final

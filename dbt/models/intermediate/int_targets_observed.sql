-- What each target's progress is measured from, one row per target with at least one chosen
-- point (int_target_observations_chosen): the baseline, the latest observation, and for
-- `逐年只增不减` targets the number of points and whether one fell below the one before.

with

points as (

    select * from {{ ref('int_target_observations_chosen') }}

),

baselines as (

    select
        target_id,
        year as baseline_year_used,
        value as baseline_value,
        source_ref as baseline_source_ref

    from points
    where is_baseline

),

latest as (

    select
        target_id,
        year as latest_year,
        value as latest_value,
        source_kind as latest_source_kind,
        source_ref as latest_source_ref

    from points
    where not is_baseline
    qualify row_number() over (partition by target_id order by year desc) = 1

),

-- the baseline and every later observation, each against the one before
year_over_year as (

    select
        target_id,
        count(*) as n_points,
        coalesce(bool_or(value < previous_value), false) as any_decrease

    from (
        select
            target_id,
            value,
            lag(value) over (partition by target_id order by year) as previous_value
        from points
    ) as points_in_order
    group by target_id

),

final as (

    select
        year_over_year.target_id,
        baselines.baseline_year_used,
        baselines.baseline_value,
        baselines.baseline_source_ref,
        latest.latest_year,
        latest.latest_value,
        latest.latest_source_kind,
        latest.latest_source_ref,
        year_over_year.n_points,
        year_over_year.any_decrease

    from year_over_year
    left join baselines on year_over_year.target_id = baselines.target_id
    left join latest on year_over_year.target_id = latest.target_id

)

select * from final

-- The points a target's progress is measured on: its baseline (the latest value at or before
-- the target table's baseline year, the plan's own baseline first) and one observation per
-- year after the baseline year up to the target year. Of several actuals of one year,
-- published figures come before synthetic ones before plan baselines
-- (macros/progress_path.sql source_kind_preference), then the first source_ref.

with

matched as (

    select * from {{ ref('int_target_actuals_matched') }}

),

baselines as (

    select
        target_id,
        year,
        true as is_baseline,
        value,
        source_kind,
        source_ref

    from matched
    where is_baseline_candidate
    qualify row_number() over (
        partition by target_id
        order by
            year desc,
            is_from_target_plan desc,
            {{ source_kind_preference('source_kind') }},
            source_ref
    ) = 1

),

observations as (

    select
        target_id,
        year,
        false as is_baseline,
        value,
        source_kind,
        source_ref

    from matched
    where not is_baseline_candidate
    qualify row_number() over (
        partition by target_id, year
        order by
            {{ source_kind_preference('source_kind') }},
            source_ref
    ) = 1

),

final as (

    select * from baselines
    union all
    select * from observations

)

select * from final

with

milestones as (

    select * from {{ ref('int_milestones_parsed') }}

),

final as (

    select
        ----------  key
        plan_id,
        program,
        region_code,
        year,

        ----------  milestone
        region_raw,
        is_plan_region,
        milestone_text,
        milestone_kind,
        percent_value,
        meets_standard,
        provincial_rank_top_n,

        ----------  provenance
        source_file,
        source_line,
        source_ref

    from milestones

)

select * from final

with

cells as (

    select * from {{ ref('int_plan_cells_normalized') }}

),

final as (

    select
        ----------  key
        plan_id || '|' || indicator_code || '|' || breakdown || '|' || year || '|' || role
            as target_id,
        plan_id,
        region_code,
        indicator_code,
        breakdown,
        year,
        role,

        ----------  target
        indicator_name_raw,
        breakdown_raw,
        comparator,
        value as target_value,
        value_upper as target_value_upper,
        is_approximate,
        is_cumulative,
        raw_value as target_text,
        value_kind as target_kind,
        unit,
        attribute,
        evaluation_reported,
        baseline_year,

        ----------  provenance
        table_no,
        source_file,
        source_line,
        source_ref,
        needs_review

    from cells
    where role in ('milestone', 'target')

)

select * from final

-- What was held back from the actuals, and why, for a person to fix at its source: one row per
-- problem of a landed row that int_actuals_checked held back, and one row per file the loader
-- rejected whole (its latest load; nothing of it landed). Reasons: docs/actuals_contract.md.

with

checked as (

    select * from {{ ref('int_actuals_checked') }}

),

latest_loads as (

    select * from {{ ref('int_actuals_files_latest') }}

),

row_problems as (

    select
        source_file,
        source_line,
        {{ unnest_list('problems') }} as problem

    from checked
    where is_held_back

),

rejected_files as (

    select
        source_file,
        coalesce(error_line, 0) as source_line,
        cast(null as string) as column_name,
        cast(null as string) as raw_value,
        reason,
        detail

    from latest_loads
    where status = 'rejected'

),

final as (

    select
        row_problems.source_file,
        row_problems.source_line,
        {{ struct_field('row_problems.problem', 'column') }} as column_name,
        {{ struct_field('row_problems.problem', 'raw_value') }} as raw_value,
        {{ struct_field('row_problems.problem', 'reason') }} as reason,
        {{ struct_field('row_problems.problem', 'detail') }} as detail

    from row_problems

    union all

    select * from rejected_files

)

select
    source_file,
    cast(source_line as integer) as source_line,
    column_name,
    raw_value,
    reason,
    detail,
    source_file || ':' || source_line as source_ref

from final

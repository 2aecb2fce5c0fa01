-- One row per landed actuals record: int_actuals_judged (resolved, restated, its own problems)
-- with the duplicates of int_actual_figures_repeated added to its problems. Nothing is dropped:
-- a row goes on to int_actuals_unioned or to mart_actuals_quarantine. A view: both inputs are
-- tables, and the join adds a problem only to the few rows that repeat a figure.

with

judged as (

    select * from {{ ref('int_actuals_judged') }}

),

repeated as (

    select * from {{ ref('int_actual_figures_repeated') }}

),

flagged as (

    select
        {{ star_except(
            'judged', ['row_problems', 'load_sha256', 'lookup_version', 'judged_in']
        ) }},  -- noqa: RF02
        case
            when repeated.problem is null then judged.row_problems
            else {{ list_appended('judged.row_problems', 'repeated.problem') }}
        end as problems

    from judged
    left join repeated
        on judged.source_file = repeated.source_file
        and judged.source_line = repeated.source_line

)

select
    *,
    source_file || ':' || source_line as source_ref,
    {{ list_length('problems') }} > 0 as is_held_back

from flagged

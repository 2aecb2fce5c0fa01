-- One row per usable actuals row (no problem of its own) whose figure (region, indicator,
-- breakdown and year) is given more than once across all files, with its problem: the same
-- value again keeps its first (file, line) and holds back the others (duplicate_row);
-- different values hold back every one of them (duplicate_disagrees). Usually empty. Judged in
-- int_actual_figures_keyed (incremental by figure); a view of its held-back rows.

with

keyed as (

    select * from {{ ref('int_actual_figures_keyed') }}

),

final as (

    select
        source_file,
        source_line,
        problem

    from keyed
    where problem is not null

)

select * from final

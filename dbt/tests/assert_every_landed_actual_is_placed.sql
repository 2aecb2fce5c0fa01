-- Nothing is lost or silently dropped: every landed actuals row is either a figure in
-- fct_indicator_actual or held back in mart_actuals_quarantine, never both, never neither.
-- Rows are matched on a 64-bit hash of their file:line (one integer a row to join, where the
-- strings themselves made this the slowest test at 10 million rows); a failing row is
-- reported with its file:line.

with

landed as (

    select
        source_file || ':' || source_line as source_ref,
        hash(source_file || ':' || source_line) as ref_hash

    from {{ ref('stg_raw__actuals') }}

),

figures as (

    select distinct hash(source_ref) as ref_hash
    from {{ ref('fct_indicator_actual') }}
    where source_kind <> 'plan_baseline'

),

held_back as (

    select distinct hash(source_ref) as ref_hash
    from {{ ref('mart_actuals_quarantine') }}

),

placed as (

    select
        landed.source_ref,
        figures.ref_hash is not null as is_a_figure,
        held_back.ref_hash is not null as is_held_back

    from landed
    left join figures on landed.ref_hash = figures.ref_hash
    left join held_back on landed.ref_hash = held_back.ref_hash

)

select *
from placed
where is_a_figure = is_held_back

-- Every milestone and target cell of raw.plan_cells is one row of fct_indicator_target (none
-- lost to a join, none duplicated), and every progress row matches one target.
with

cells as (

    select count(*) as n from {{ ref('stg_raw__plan_cells') }}
    where role in ('milestone', 'target')

),

targets as (

    select count(*) as n from {{ ref('fct_indicator_target') }}

),

progress as (

    select count(*) as n from {{ ref('mart_indicator_progress') }}

)

select cells.n as cells, targets.n as targets, progress.n as progress_rows
from cells, targets, progress
where cells.n <> targets.n or targets.n <> progress.n

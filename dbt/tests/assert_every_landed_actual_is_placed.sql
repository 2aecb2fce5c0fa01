-- Nothing is lost or silently dropped: every landed actuals row is either a figure in
-- fct_indicator_actual or held back in mart_actuals_quarantine, never both, never neither.

with

landed as (

    select source_file || ':' || source_line as source_ref
    from {{ ref('stg_raw__actuals') }}

),

figures as (

    select distinct source_ref
    from {{ ref('fct_indicator_actual') }}
    where source_kind <> 'plan_baseline'

),

held_back as (

    select distinct source_ref
    from {{ ref('mart_actuals_quarantine') }}

),

placed as (

    select
        landed.source_ref,
        figures.source_ref is not null as is_a_figure,
        held_back.source_ref is not null as is_held_back

    from landed
    left join figures on landed.source_ref = figures.source_ref
    left join held_back on landed.source_ref = held_back.source_ref

)

select *
from placed
where is_a_figure = is_held_back

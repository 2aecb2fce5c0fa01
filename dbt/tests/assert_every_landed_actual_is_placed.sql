-- depends_on: {{ ref('int_actual_figures_keyed') }}
-- depends_on: {{ ref('int_actuals_judged') }}
-- Nothing is lost or silently dropped: every landed actuals row is either a figure in
-- fct_indicator_actual or held back in mart_actuals_quarantine, never both, never neither.
-- Rows are matched on a 64-bit hash of their file:line (one integer a row to join, where the
-- strings themselves made this the slowest test at 10 million rows); a failing row is
-- reported with its file:line.
-- Tests on what changed (macros/test_where.sql): on a night that is not a full pass, the rows
-- whose placement tonight's build could change are checked: the rows judged tonight (a new or
-- changed file) and the rows of every figure judged again since the fact took its figures (a
-- duplicate across files holds back or gives back a row of an unchanged file; the fact's
-- generations, macros/figures_taken.sql), each against the fact rows with its file:line (one
-- integer to probe, not a distinct over every fact row). A full pass checks every row.
{%- set fact = ref('fct_indicator_actual') %}
{%- set taken = figures_taken_relation(fact.database) %}
{%- set changed_only = (
    execute
    and not full_tests()
    and adapter.get_relation(taken.database, taken.schema, taken.identifier) is not none
) %}
{#- the generation the fact took from before tonight, a constant: the scans below skip the row
    groups of earlier generations and of the years no figure judged again since has -#}
{%- set taken_from = (
    run_query('select max(taken_from) from ' ~ taken).rows[0][0] if changed_only else none
) %}

with

{% if changed_only %}

tonights_rows as (

    select source_file, source_line
    from {{ ref('int_actuals_judged') }}
    where judged_in = '{{ invocation_id }}'

    -- read with `in` only: a row in both needs no distinct over all of them
    union all

    select source_file, source_line
    from {{ figures_keyed_relation(fact.database) }}
    where source_file is not null
        and generation > {{ taken_from }}

),

{% endif %}

landed as (

    select
        stg.source_file || ':' || stg.source_line as source_ref,
        hash(stg.source_file || ':' || stg.source_line) as ref_hash

    from {{ ref('stg_raw__actuals') }} as stg
    {%- if changed_only %}
    where stg.source_file in (select tonights_rows.source_file from tonights_rows)
        and hash(stg.source_file || ':' || stg.source_line) in (
            select hash(tonights_rows.source_file || ':' || tonights_rows.source_line)
            from tonights_rows
        )
    {%- endif %}

),

figures as (

    select distinct hash(fact.source_ref) as ref_hash
    from {{ fact }} as fact
    where fact.source_kind <> 'plan_baseline'
    {%- if changed_only %}
        -- a row judged tonight, or of a figure judged again, is in a figure judged again
        and {{ figures_touched_years(taken_from, 'fact.year') }}
        and hash(fact.source_ref) in (select landed.ref_hash from landed)
    {%- endif %}

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

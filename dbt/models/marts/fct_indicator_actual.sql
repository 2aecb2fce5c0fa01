{{ config(
    materialized=by_figure_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=["{% if is_incremental() %}{{ figures_taken_delete() }}{% endif %}"],
    post_hook=[
        "{% if by_figure_materialization() == 'incremental' %}{{ figures_taken_record() }}{% endif %}",
        "{% if by_figure_materialization() == 'incremental' %}{{ figures_taken_tonight_view() }}{% endif %}",
    ],
) }}
-- depends_on: {{ ref('int_actual_figures_keyed') }}
-- Incremental by figure: a night inserts again the plans' figures (few) and the actuals'
-- figures (region, indicator, breakdown, year) that int_actual_figures_keyed judged again since
-- the fact took them (macros/figures_taken.sql; the pre-hook deletes the same), so a night
-- costs the figures that changed, not every landed row.
{%- set generation = figures_taken_generation() %}
{%- set derived = [] %}
{%- for kind in vocabulary_codes('derived_source_kind') %}
    {%- do derived.append("'" ~ kind ~ "'") %}
{%- endfor %}

with

{%- if generation is not none %}

touched as (

    {{ figures_touched_since(generation) }}

),

-- the plans' figures (few), and the actuals of the touched figures; int_actuals_unioned is
-- read in each branch (a CTE read twice would be materialized whole: every landed row), and
-- the touched figures' years, as constants, let the scan skip every other year's rows
taken as (

    select actuals.*
    from {{ ref('int_actuals_unioned') }} as actuals
    where actuals.source_kind in ({{ derived | join(', ') }})

    union all

    select actuals.*
    from {{ ref('int_actuals_unioned') }} as actuals
    inner join touched
        on actuals.region_code = touched.region_code
        and actuals.indicator_code = touched.indicator_code
        and actuals.breakdown = touched.breakdown
        and actuals.year = touched.year
    where {{ figures_touched_years(generation, 'actuals.year') }}
        and (
            actuals.source_kind is null
            or actuals.source_kind not in ({{ derived | join(', ') }})
        )

),

{%- else %}

taken as (

    select * from {{ ref('int_actuals_unioned') }}

),

{%- endif %}

final as (

    select
        ----------  key
        region_code,
        indicator_code,
        breakdown,
        year,
        source_kind,
        source_ref,

        ----------  value
        indicator_name_raw,
        value,
        value_text,
        unit,
        unit_as_published,
        unit_matches_catalogue,

        ----------  provenance
        source_url,
        source_title

    from taken

)

select * from final

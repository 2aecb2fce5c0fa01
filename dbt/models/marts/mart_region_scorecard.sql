-- Per region, plan and target year: how many binding and expected targets are in each status
-- (the attribute and status vocabularies of dbt_project.yml, in their declared order).
{%- set statuses = vocabulary_codes('status') %}
{%- set attributes = vocabulary_codes('attribute') %}

with

progress as (

    select * from {{ ref('mart_indicator_progress') }}

),

final as (

    select
        region_code,
        plan_id,
        year,
        count(*) as n_targets,
        count(*) filter (where attribute = 'binding') as n_binding,
        count(*) filter (where attribute = 'expected') as n_expected,
        count(*) filter (where attribute is null) as n_unclassified,
        {%- for attribute in attributes %}
        {%- for status in statuses %}
        count(*) filter (
            where attribute = '{{ attribute }}' and status = '{{ status }}'
        ) as {{ attribute }}_{{ status }},
        {%- endfor %}
        {%- endfor %}
        count(*) filter (where is_behind) as n_behind

    from progress
    group by region_code, plan_id, year

)

select * from final

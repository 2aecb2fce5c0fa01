{#- Tests on what changed: on a night that is not a full pass, a per-row test of
    fct_indicator_actual (not null, relationships, vocabulary, the unique grain: a duplicate can
    only share a figure the night touched) checks only the rows tonight's build inserted
    (macros/figures_taken.sql); the rows it kept passed the same tests on the night they came.
    A full pass checks every row: on --full-refresh (the fact is built whole, every row is
    tonight's) and when the flow asks for one (var full_tests: true; flows/test_schedule.py, weekly
    by default). Any other model's tests, and the singular tests, check every row.
    Overrides dbt's get_where_subquery, keeping its `where` config. -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set changed_only = (
        relation.identifier == 'fct_indicator_actual'
        and not var('full_tests', false)
        and execute
        and adapter.get_relation(
            relation.database,
            figures_taken_relation(relation.database).schema,
            figures_taken_relation(relation.database).identifier
        ) is not none
    ) -%}
    {%- if changed_only or where -%}
        {%- set filtered -%}
            (select * from {{ relation }} as tested
            where {{ where if where else 'true' }}
            {%- if changed_only %} and {{ figures_taken_tonight('tested', relation.database) }}{% endif %}
            ) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

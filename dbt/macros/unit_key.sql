{#- A unit in its catalogue spelling: the `unit` vocabulary (dbt_project.yml) maps the spellings
    a source may use (％, 百分比 -> %; 名 -> 人); any other unit is kept, trimmed. -#}
{% macro unit_key(column) -%}
    coalesce(
        {{ vocabulary_code('unit', 'trim(' ~ column ~ ')') }},
        nullif(trim({{ column }}), '')
    )
{%- endmacro %}

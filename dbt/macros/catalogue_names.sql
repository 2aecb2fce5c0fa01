{#- The catalogue's own names of each indicator (its code, Chinese and English name), as a
    subquery of (indicator_code, catalogue_name): they resolve like aliases
    (int_indicator_names_resolved) and count in the alias ambiguity test. -#}
{% macro catalogue_names() -%}
    (
        select indicator_code, indicator_code as catalogue_name from {{ ref('indicators') }}
        union all
        select indicator_code, indicator_name_zh from {{ ref('indicators') }}
        union all
        select indicator_code, indicator_name_en from {{ ref('indicators') }}
    )
{%- endmacro %}

{#- The code given to a name no alias matches: stable across runs, so it can be joined and
    reported (`uncatalogued_` and the first 10 hex digits of the md5 of its name_key). -#}
{% macro uncatalogued_code(column) -%}
    'uncatalogued_' || left(md5({{ name_key(column) }}), 10)
{%- endmacro %}

{#- The key an indicator or breakdown name is matched on: whitespace removed and a trailing
    unit in brackets dropped, so `学前三年入园率（%）` and `学前三年入园率` match one alias and
    `学校教师中具有研究生学历（含 硕士学位）的比例（%）` matches without its stray space. -#}
{% macro name_key(column) -%}
    regexp_replace(
        regexp_replace(coalesce({{ column }}, ''), '\s+', '', 'g'),
        '[（(](%|％|万个|万人次|万人|万元|亿元|元|所|个|对|年|人|项)[）)]$',
        ''
    )
{%- endmacro %}

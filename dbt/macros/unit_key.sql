{#- A unit in its catalogue spelling: ％ and 百分比 are %, 名 is 人, 万名 is 万人. -#}
{% macro unit_key(column) -%}
    case trim({{ column }})
        when '％' then '%'
        when '百分比' then '%'
        when '名' then '人'
        when '万名' then '万人'
        else nullif(trim({{ column }}), '')
    end
{%- endmacro %}

{#- Generic test: every non-NULL value of the column is a code of one of the given vocabularies
    (the var `vocabulary` of dbt_project.yml: the one declaration of statuses, roles, ...). -#}
{% test in_vocabulary(model, column_name, vocabularies) %}

{%- set codes = [] -%}
{%- for vocabulary in vocabularies -%}
    {%- for code in vocabulary_codes(vocabulary) -%}{%- do codes.append(code) -%}{%- endfor -%}
{%- endfor %}

select {{ column_name }} as value_not_in_vocabulary
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        {%- for code in codes %}{{ quoted(code) }}{{ ', ' if not loop.last }}{% endfor -%}
    )

{% endtest %}

{#- The controlled vocabularies are declared once, as the var `vocabulary` in dbt_project.yml
    (vocabulary -> word as written -> code); flows/controlled_vocabulary.py reads the same declaration. -#}

{#- The code of a word in one vocabulary (约束性 -> binding in `attribute`); NULL when the word
    is not in it. -#}
{% macro vocabulary_code(vocabulary, column) -%}
    case {{ column }}
        {%- for written, code in var('vocabulary')[vocabulary].items() %}
        when {{ quoted(written) }} then {{ quoted(code) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- The distinct codes of one vocabulary, in their declared order (for Jinja loops). -#}
{% macro vocabulary_codes(vocabulary) -%}
    {%- set codes = [] -%}
    {%- for code in var('vocabulary')[vocabulary].values() -%}
        {%- if code not in codes -%}{%- do codes.append(code) -%}{%- endif -%}
    {%- endfor -%}
    {{- return(codes) -}}
{%- endmacro %}

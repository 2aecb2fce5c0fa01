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

{#- The words of one vocabulary, longest first (so that an alternation in a pattern tries
    全市创建 before 全市); with `code`, only the words of that code. -#}
{% macro vocabulary_words(vocabulary, code=none) -%}
    {%- set words = [] -%}
    {%- for written, written_code in var('vocabulary')[vocabulary].items() -%}
        {%- if code is none or written_code == code -%}{%- do words.append(written) -%}{%- endif -%}
    {%- endfor -%}
    {%- set longest_first = [] -%}
    {%- for size in range((words | map('length') | max) if words else 0, 0, -1) -%}
        {%- for word in words if word | length == size -%}
            {%- do longest_first.append(word) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(longest_first) -}}
{%- endmacro %}

{#- True when `column` is one of the words of a vocabulary (of `code` only, when given); NULL
    when `column` is NULL, as `in` is. -#}
{% macro is_vocabulary_word(column, vocabulary, code=none) -%}
    {{ column }} in (
        {%- for word in vocabulary_words(vocabulary, code) -%}
            {{ quoted(word) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}

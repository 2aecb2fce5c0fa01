{#- The key a name (indicator, breakdown or region) is matched on, so that spellings a person
    would call the same meet one alias:
    - full-width letters, digits and punctuation as half-width (（％） -> (%)), 【】〔〕 as [] ();
    - whitespace removed;
    - a trailing unit in brackets dropped (学前三年入园率（%） -> 学前三年入园率);
    - the synonym rules of the var `name_synonyms` (dbt_project.yml) applied, longest first
      (覆盖率 -> 覆盖面).
    The same key is computed on both sides of every match (aliases and names as written). -#}
{% macro name_key(column) -%}
    {%- set full_width = '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　【】〔〕' -%}
    {%- set half_width = '!"#$%&' ~ "'" ~ '()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ['
        ~ '\\' ~ ']^_`abcdefghijklmnopqrstuvwxyz{|}~ []()' -%}
    {%- set translated = 'translate(coalesce(' ~ column ~ ", ''), " ~ quoted(full_width) ~ ', '
        ~ quoted(half_width) ~ ')' -%}
    {%- set normalised = regex_replace_all(
        regex_replace_all(translated, '\\s+', ''),
        '\\((%|‰|百分比|万个|万人次|人次|万人|万名|万元|亿元|元|所|个|对|年|人|名|项|次|天|小时|平方米)\\)$',
        ''
    ) -%}
    {%- set rules = [] -%}
    {%- for written, canonical in var('name_synonyms', {}).items() -%}
        {%- do rules.append([written | length, written, canonical]) -%}
    {%- endfor -%}
    {%- set key = namespace(sql=normalised) -%}
    {%- for _, written, canonical in rules | sort(reverse=true) -%}
        {%- set key.sql = "replace(" ~ key.sql ~ ", " ~ quoted(written) ~ ", " ~ quoted(canonical) ~ ")" -%}
    {%- endfor -%}
    {{ key.sql }}
{%- endmacro %}

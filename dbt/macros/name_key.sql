{#- The key a name (indicator, breakdown or region) is matched on, so that spellings a person
    would call the same meet one alias:
    - full-width letters, digits and punctuation as half-width (（％） -> (%)), 【】〔〕 as [] ();
    - whitespace removed;
    - a trailing unit in brackets dropped (学前三年入园率（%） -> 学前三年入园率);
    - the synonym rules of seeds/name_synonyms.csv applied, longest first (覆盖率 -> 覆盖面).
    The same key is computed on both sides of every match (aliases and names as written). -#}
{% macro name_key(column) -%}
    list_reduce(
        (
            select coalesce(list({'written': written, 'canonical': canonical}
                order by length(written) desc, written), [])
            from {{ ref('name_synonyms') }}
        ),
        lambda rules_applied, rule: replace(rules_applied, rule.written, rule.canonical),
        regexp_replace(
            regexp_replace(
                translate(
                    coalesce({{ column }}, ''),
                    '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　【】〔〕',
                    '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ []()'
                ),
                '\s+', '', 'g'
            ),
            '\((%|‰|百分比|万个|万人次|人次|万人|万名|万元|亿元|元|所|个|对|年|人|名|项|次|天|小时|平方米)\)$',
            ''
        )
    )
{%- endmacro %}

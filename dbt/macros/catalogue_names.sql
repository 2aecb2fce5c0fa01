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

{#- Every name key that resolves to an indicator, as one relation (name_key, indicator_code,
    breakdown_code): the aliases seed's names, and the catalogue's own names where no alias
    spells them. Aliases that differ only in spelling share a key: one row per key
    (tests/assert_name_keys_are_unambiguous.sql fails when they disagree). Read by the names
    layer for raw indicator names and for the subjects of targets stated in prose. -#}
{% macro indicator_name_keys() -%}
    (
        with aliases as (
            select distinct
                {{ name_key('indicator_name_raw') }} as name_key,
                indicator_code,
                breakdown_code
            from {{ ref('indicator_aliases') }}
        )

        select * from aliases
        union all
        select distinct
            {{ name_key('catalogue.catalogue_name') }} as name_key,
            catalogue.indicator_code,
            cast(null as string) as breakdown_code
        from {{ catalogue_names() }} as catalogue
        where {{ name_key('catalogue.catalogue_name') }} not in (
            select aliases.name_key from aliases
        )
    )
{%- endmacro %}

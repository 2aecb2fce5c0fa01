{#- The resolution of names as written, one owner for every reader: int_indicator_names_resolved
    and int_breakdown_names_resolved resolve every name the plans and the actuals write (the
    actuals' rows are judged by them, the unresolved ones are listed); int_plan_cells_normalized
    resolves the plans' own names with the same rules, so that a plan's cells, targets and
    commitments depend on the plans alone and a night that brings only actuals leaves them, and
    their tests, standing (flows/transform.py reached_from). A name resolves on its own: the
    same name resolves the same whichever other names are written beside it. -#}

{#- Each indicator name of `names` (a relation or CTE with one row per distinct
    indicator_name_raw, and the columns `carry`) with its name_key, its indicator (the alias or
    catalogue name with the same key: macros/catalogue_names.sql; else an indicator of its own,
    uncatalogued_<hash>), the breakdown its alias implies, and whether it is catalogued. -#}
{% macro resolve_indicator_names(names, carry=[]) -%}
    (
        select
            raw_keys.indicator_name_raw,
            raw_keys.name_key,
            coalesce(
                name_keys.indicator_code,
                {{ uncatalogued_code('raw_keys.indicator_name_raw') }}
            ) as indicator_code,
            name_keys.breakdown_code as alias_breakdown_code,
            name_keys.indicator_code is not null as is_catalogued
            {%- for column in carry %},
            raw_keys.{{ column }}
            {%- endfor %}

        from (
            select
                *,
                {{ name_key('indicator_name_raw') }} as name_key

            from {{ names }}
        ) as raw_keys
        left join {{ indicator_name_keys() }} as name_keys
            on raw_keys.name_key = name_keys.name_key
    )
{%- endmacro %}

{#- Each non-empty breakdown label of `labels` (a relation or CTE with one row per distinct
    breakdown_raw) with its name_key and its breakdown (the alias with the same key, else
    uncatalogued_<hash>), and whether it is catalogued. -#}
{% macro resolve_breakdown_labels(labels) -%}
    (
        select
            raw_keys.breakdown_raw,
            raw_keys.name_key,
            coalesce(
                aliases.breakdown_code,
                {{ uncatalogued_code('raw_keys.breakdown_raw') }}
            ) as breakdown_code,
            aliases.breakdown_code is not null as is_catalogued

        from (
            select
                breakdown_raw,
                {{ name_key('breakdown_raw') }} as name_key

            from {{ labels }}
        ) as raw_keys
        left join (
            select distinct
                {{ name_key('breakdown_raw') }} as name_key,
                breakdown_code

            from {{ ref('breakdown_aliases') }}
        ) as aliases on raw_keys.name_key = aliases.name_key
        where raw_keys.name_key <> ''
    )
{%- endmacro %}

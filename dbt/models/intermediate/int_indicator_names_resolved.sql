-- Every indicator name seen in the plans or the actuals, resolved to its canonical indicator
-- through the alias seed or the catalogue's own names (its code, Chinese and English name: a
-- canonical name always resolves; an alias with the same key wins, it may name a breakdown),
-- both sides compared on their name_key (width, whitespace, trailing unit and the synonym
-- rules of the var name_synonyms). A name without an alias still
-- resolves, to an indicator of its own (`uncatalogued_<hash>`), and is listed with its best
-- catalogue candidates in marts.mart_unresolved_names. The rules are macros/names_resolved.sql's.

with

plan_names as (

    select distinct indicator_name_raw from {{ ref('stg_raw__plan_cells') }}

),

actual_names as (

    select distinct name_raw as indicator_name_raw
    from {{ ref('int_actual_names_counted') }}
    where name_kind = 'indicator'
        and name_raw is not null

),

raw_names as (

    select
        coalesce(plan_names.indicator_name_raw, actual_names.indicator_name_raw)
            as indicator_name_raw,
        plan_names.indicator_name_raw is not null as is_in_plans,
        actual_names.indicator_name_raw is not null as is_in_actuals

    from plan_names
    full outer join actual_names
        on plan_names.indicator_name_raw = actual_names.indicator_name_raw

),

final as (

    select *
    from {{ resolve_indicator_names('raw_names', carry=['is_in_plans', 'is_in_actuals']) }}
        as resolved

)

select * from final

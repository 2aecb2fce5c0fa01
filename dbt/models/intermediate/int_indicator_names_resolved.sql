-- Every indicator name seen in the plans or the actuals, resolved to its canonical indicator
-- through the alias seed or the catalogue's own names (its code, Chinese and English name: a
-- canonical name always resolves; an alias with the same key wins, it may name a breakdown),
-- both sides compared on their name_key (width, whitespace, trailing unit and the synonym
-- rules of the var name_synonyms). A name without an alias still
-- resolves, to an indicator of its own (`uncatalogued_<hash>`), and is listed with its best
-- catalogue candidates in marts.mart_unresolved_names.

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

raw_keys as (

    select
        *,
        {{ name_key('indicator_name_raw') }} as name_key

    from raw_names

),

name_keys as (

    select * from {{ indicator_name_keys() }} as name_keys

),

resolved as (

    select
        raw_keys.indicator_name_raw,
        raw_keys.name_key,
        coalesce(
            name_keys.indicator_code,
            {{ uncatalogued_code('raw_keys.indicator_name_raw') }}
        ) as indicator_code,
        name_keys.breakdown_code as alias_breakdown_code,
        name_keys.indicator_code is not null as is_catalogued,
        raw_keys.is_in_plans,
        raw_keys.is_in_actuals

    from raw_keys
    left join name_keys on raw_keys.name_key = name_keys.name_key

)

select * from resolved

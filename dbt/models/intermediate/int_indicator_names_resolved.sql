-- Every indicator name seen in the plans or the actuals, resolved to its canonical indicator
-- through the alias seed. A name without an alias still resolves, to an indicator of its own
-- (`uncatalogued_<hash>`), and is reported by tests/assert_every_indicator_name_is_catalogued.sql.

with

plan_names as (

    select distinct indicator_name_raw from {{ ref('stg_raw__plan_cells') }}

),

actual_names as (

    select distinct indicator_name_raw from {{ ref('stg_raw__actuals') }}

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

aliases as (

    select
        {{ name_key('indicator_name_raw') }} as name_key,
        indicator_code,
        breakdown_code

    from {{ ref('indicator_aliases') }}

),

resolved as (

    select
        raw_names.indicator_name_raw,
        {{ name_key('raw_names.indicator_name_raw') }} as name_key,
        coalesce(
            aliases.indicator_code,
            {{ uncatalogued_code('raw_names.indicator_name_raw') }}
        ) as indicator_code,
        aliases.breakdown_code as alias_breakdown_code,
        aliases.indicator_code is not null as is_catalogued,
        raw_names.is_in_plans,
        raw_names.is_in_actuals

    from raw_names
    left join aliases
        on {{ name_key('raw_names.indicator_name_raw') }} = aliases.name_key

)

select * from resolved

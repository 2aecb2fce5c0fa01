-- Every breakdown label seen in the plans or the actuals (`小学段`, `达标率（%）`, ...) resolved to
-- its canonical breakdown code, both sides compared on their name_key. A label without an alias
-- becomes a code of its own (`uncatalogued_<hash>`) and is reported by
-- tests/assert_every_breakdown_is_catalogued.sql.

with

raw_labels as (

    select breakdown_raw from {{ ref('stg_raw__plan_cells') }}
    union
    select name_raw as breakdown_raw from {{ ref('int_actual_names_counted') }}
    where name_kind = 'breakdown'

),

raw_keys as (

    select
        breakdown_raw,
        {{ name_key('breakdown_raw') }} as name_key

    from raw_labels

),

aliases as (

    select distinct
        {{ name_key('breakdown_raw') }} as name_key,
        breakdown_code

    from {{ ref('breakdown_aliases') }}

),

resolved as (

    select
        raw_keys.breakdown_raw,
        raw_keys.name_key,
        coalesce(
            aliases.breakdown_code,
            {{ uncatalogued_code('raw_keys.breakdown_raw') }}
        ) as breakdown_code,
        aliases.breakdown_code is not null as is_catalogued

    from raw_keys
    left join aliases on raw_keys.name_key = aliases.name_key
    where raw_keys.name_key <> ''

)

select * from resolved

-- Every breakdown label seen in the plans or the actuals (`小学段`, `达标率（%）`, ...) resolved to
-- its canonical breakdown code. A label without an alias becomes a code of its own
-- (`uncatalogued_<hash>`) and is reported by tests/assert_every_breakdown_is_catalogued.sql.

with

raw_labels as (

    select breakdown_raw from {{ ref('stg_raw__plan_cells') }}
    union
    select breakdown_raw from {{ ref('stg_raw__actuals') }}

),

aliases as (

    select
        {{ name_key('breakdown_raw') }} as name_key,
        breakdown_code

    from {{ ref('breakdown_aliases') }}

),

resolved as (

    select
        raw_labels.breakdown_raw,
        {{ name_key('raw_labels.breakdown_raw') }} as name_key,
        coalesce(
            aliases.breakdown_code,
            {{ uncatalogued_code('raw_labels.breakdown_raw') }}
        ) as breakdown_code,
        aliases.breakdown_code is not null as is_catalogued

    from raw_labels
    left join aliases
        on {{ name_key('raw_labels.breakdown_raw') }} = aliases.name_key
    where {{ name_key('raw_labels.breakdown_raw') }} <> ''

)

select * from resolved

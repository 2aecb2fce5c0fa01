-- Every breakdown label seen in the plans or the actuals (`小学段`, `达标率（%）`, ...) resolved to
-- its canonical breakdown code, both sides compared on their name_key. A label without an alias
-- becomes a code of its own (`uncatalogued_<hash>`) and is reported by
-- tests/assert_every_breakdown_is_catalogued.sql. The rules are macros/names_resolved.sql's.

with

raw_labels as (

    select breakdown_raw from {{ ref('stg_raw__plan_cells') }}
    union
    select name_raw as breakdown_raw from {{ ref('int_actual_names_counted') }}
    where name_kind = 'breakdown'

),

final as (

    select * from {{ resolve_breakdown_labels('raw_labels') }} as resolved

)

select * from final

with

catalogue as (

    select * from {{ ref('breakdowns') }}

),

uncatalogued_labels as (

    select
        breakdown_code,
        min(name_key) as breakdown_name_zh

    from {{ ref('int_breakdown_names_resolved') }}
    where not is_catalogued
    group by breakdown_code

),

final as (

    select
        breakdown_code as breakdown,
        breakdown_name_zh,
        breakdown_name_en,
        breakdown_kind,
        cast(sort_order as integer) as sort_order,
        true as is_catalogued

    from catalogue

    union all

    select
        breakdown_code as breakdown,
        breakdown_name_zh,
        cast(null as string) as breakdown_name_en,
        'uncatalogued' as breakdown_kind,
        999 as sort_order,
        false as is_catalogued

    from uncatalogued_labels

)

select * from final

with

regions as (

    select * from {{ ref('regions') }}

),

final as (

    select
        cast(region_code as string) as region_code,
        region_name_zh,
        region_name_en,
        region_level,
        cast(nullif(parent_region_code, '') as string) as parent_region_code,
        cast(longitude as decimal(9, 6)) as longitude,
        cast(latitude as decimal(9, 6)) as latitude,
        nullif(boundary_note, '') as boundary_note,
        source as region_source

    from regions

)

select * from final

-- The catalogue, plus one row per raw name that has no alias (is_catalogued = false) and is used
-- by a fact row (a plan cell or a usable actual), so every fact row has its indicator here.

with

catalogue as (

    select * from {{ ref('indicators') }}

),

uncatalogued_names as (

    select
        indicator_code,
        min(indicator_name_raw) as indicator_name_zh

    from {{ ref('int_indicator_names_resolved') }}
    where not is_catalogued
        and indicator_code in (
            select cells.indicator_code from {{ ref('int_plan_cells_normalized') }} as cells
            union
            select figures.indicator_code
            from {{ ref('int_actuals_checked') }} as figures
            where not figures.is_held_back
        )
    group by indicator_code

),

final as (

    select
        indicator_code,
        indicator_name_zh,
        indicator_name_en,
        nullif(unit, '') as unit,
        polarity,
        category,
        true as is_catalogued

    from catalogue

    union all

    select
        indicator_code,
        indicator_name_zh,
        cast(null as string) as indicator_name_en,
        cast(null as string) as unit,
        'higher' as polarity,
        'uncatalogued' as category,
        false as is_catalogued

    from uncatalogued_names

)

select * from final

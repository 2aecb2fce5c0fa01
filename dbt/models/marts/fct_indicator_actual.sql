with

actuals as (

    select * from {{ ref('int_actuals_unioned') }}

),

final as (

    select
        ----------  key
        region_code,
        indicator_code,
        breakdown,
        year,
        source_kind,
        source_ref,

        ----------  value
        indicator_name_raw,
        value,
        value_text,
        unit,
        unit_as_published,
        unit_matches_catalogue,

        ----------  provenance
        source_url,
        source_title

    from actuals

)

select * from final

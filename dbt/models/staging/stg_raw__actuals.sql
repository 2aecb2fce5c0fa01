with

source as (

    select * from {{ source('raw', 'actuals') }}

),

renamed as (

    select
        ----------  ids
        cast(region_code as varchar) as region_code,
        region as region_raw,
        indicator as indicator_name_raw,
        breakdown as breakdown_raw,
        cast(year as integer) as year,

        ----------  value
        cast(value as decimal(38, 10)) as value,
        value_text,
        unit,

        ----------  provenance
        source_kind,
        file as source_file,
        cast(line as integer) as source_line,
        source_url,
        source_title

    from source

)

select * from renamed

with

source as (

    select * from {{ source('raw', 'plan_documents') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        cast(region_code as string) as region_code,

        ----------  document facts
        title,
        document_number,
        issuer,
        cast(issued_on as date) as issued_on,
        cast(period_start_year as integer) as period_start_year,
        cast(period_end_year as integer) as period_end_year,
        region_name as region_name_raw,

        ----------  provenance
        doc as file_name,
        source_file,
        sha256 as source_sha256,
        source_document,
        loaded_at

    from source

)

select * from renamed

with

documents as (

    select * from {{ ref('stg_raw__plan_documents') }}

),

final as (

    select
        plan_id,
        region_code,
        title,
        document_number,
        issuer,
        issued_on,
        period_start_year,
        period_end_year,
        source_file,
        source_sha256

    from documents

)

select * from final

with

source as (

    select * from {{ source('raw', 'plan_tables') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        cast(table_no as integer) as table_no,

        ----------  table facts
        kind as table_kind,
        title as table_title,
        cast(period_start_year as integer) as period_start_year,
        cast(period_end_year as integer) as period_end_year,

        ----------  provenance
        cast(header_line as integer) as header_line,
        cast(last_line as integer) as last_line

    from source

)

select * from renamed

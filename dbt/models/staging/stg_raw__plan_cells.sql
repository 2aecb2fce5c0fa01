with

source as (

    select * from {{ source('raw', 'plan_cells') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        cast(table_no as integer) as table_no,
        cast(row_order as integer) as row_order,

        ----------  indicator as written
        category as category_raw,
        indicator as indicator_name_raw,
        breakdown as breakdown_raw,
        unit,

        ----------  value
        cast(year as integer) as year,
        role,
        raw_value,
        comparator,
        -- the number exactly as written ("0.250"), cast without going through a float
        cast(value as decimal(38, 10)) as value,
        attribute as attribute_raw,
        evaluation as evaluation_raw,

        ----------  provenance
        source_file,
        cast(line as integer) as source_line

    from source

)

select * from renamed

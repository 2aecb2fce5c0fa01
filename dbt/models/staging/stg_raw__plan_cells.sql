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
        -- a range's upper bound (95-97), and 左右 / 约 (the number is approximate)
        cast(value_upper as decimal(38, 10)) as value_upper,
        cast(is_approximate as boolean) as is_approximate,
        -- a five-year cumulative figure (〔20〕, [4.5]), not a level of the year
        cast(is_cumulative as boolean) as is_cumulative,
        attribute as attribute_raw,
        evaluation as evaluation_raw,

        ----------  provenance
        source_file,
        cast(line as integer) as source_line,
        source_ref,
        -- why the extractor is unsure of the cell (NULL when sure)
        nullif(needs_review, '') as needs_review

    from source

)

select * from renamed

with

source as (

    select * from {{ source('raw', 'plan_commitments') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        cast(commitment_no as integer) as commitment_no,

        ----------  the commitment as written
        quote,
        subject as subject_raw,
        section,

        ----------  value
        comparator,
        value as value_text,
        -- the number exactly as written; a ratio (1:1) has no single number
        case when value not like '%:%' then cast(value as decimal(38, 10)) end as value,
        case
            when value_upper is not null then cast(value_upper as decimal(38, 10))
        end as value_upper,
        unit,
        cast(year as integer) as year,
        year_basis,
        is_change,
        per,
        direction,
        is_approximate,

        ----------  provenance
        source_file,
        cast(line as integer) as source_line,
        source_ref

    from source

)

select * from renamed

with

source as (

    select * from {{ source('raw', 'plan_milestones') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        program,
        region as region_raw,
        cast(year as integer) as year,

        ----------  value
        milestone_text,

        ----------  provenance
        source_file,
        cast(line as integer) as source_line,
        source_ref

    from source

)

select * from renamed

-- One row per actuals file and night the loader looked at it: loaded, skipped (unchanged),
-- rejected (broke the file contract: nothing landed) or removed.

with

source as (

    select * from {{ source('raw', 'actuals_load_audit') }}

),

renamed as (

    select
        ----------  ids
        file as source_file,
        sha256,

        ----------  outcome
        status,
        cast(rows_in as integer) as rows_in,
        cast(line as integer) as error_line,
        reason,
        detail,
        loaded_at

    from source

)

select * from renamed

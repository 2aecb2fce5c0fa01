-- One row per record of an accepted actuals file, as the loader landed it (text as written, with
-- its file and line): trimmed, empty as NULL, and typed where the text is a plain year or
-- decimal. Whether a row is usable is decided in int_actuals_checked.

with

source as (

    select * from {{ source('raw', 'actuals') }}

),

renamed as (

    select
        ----------  ids
        file as source_file,
        cast(line as integer) as source_line,
        nullif(trim(region), '') as region_raw,
        nullif(trim(indicator), '') as indicator_name_raw,
        nullif(trim(breakdown), '') as breakdown_raw,
        nullif(trim(year), '') as year_text,

        ----------  value
        nullif(trim(value), '') as value_text,
        nullif(trim(unit), '') as unit_as_published,
        {{ unit_key('unit') }} as unit,

        ----------  typed: a 4-digit year; a plain decimal (sign, at most 18 integer digits)
        case
            when {{ regex_full_match('trim(year)', '[0-9]{4}') }} then cast(trim(year) as integer)
        end as year,
        case
            when {{ regex_full_match('trim(value)', '[+-]?([0-9]{1,18}(\\.[0-9]*)?|\\.[0-9]+)') }}
                then try_cast(trim(value) as decimal(38, 10))
        end as value,

        ----------  provenance: files named synthetic_*.csv hold synthetic rows
        nullif(trim(source_url), '') as source_url,
        nullif(trim(source_title), '') as source_title,
        nullif(trim(source_kind), '') as source_kind_raw,
        case
            when {{ text_starts_with('file', quoted('synthetic_')) }} then 'synthetic'
            else 'published'
        end as file_source_kind,
        coalesce(
            nullif(lower(trim(source_kind)), ''),
            case
                when {{ text_starts_with('file', quoted('synthetic_')) }} then 'synthetic'
                else 'published'
            end
        ) as source_kind,
        malformed as malformed_text

    from source

)

select * from renamed

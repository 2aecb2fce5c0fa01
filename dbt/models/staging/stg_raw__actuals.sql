{%- set actual_columns = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(source('raw', 'actuals')) -%}
        {%- do actual_columns.append(column.name | lower) -%}
    {%- endfor -%}
{%- endif -%}

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
        -- the loader restates a figure in the catalogue unit and keeps the unit it had here
        -- (an optional column beyond the contract)
        {% if 'value_converted_from_unit' in actual_columns -%}
        coalesce(value_converted_from_unit, unit) as unit_as_published,
        {%- else -%}
        unit as unit_as_published,
        {%- endif %}

        ----------  provenance
        source_kind,
        file as source_file,
        cast(line as integer) as source_line,
        source_url,
        source_title

    from source

)

select * from renamed

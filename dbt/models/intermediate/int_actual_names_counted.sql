-- depends_on: {{ ref('int_actuals_files_latest') }}
{{ config(
    materialized='incremental',
    incremental_strategy=by_file_strategy(),
    unique_key='source_file',
    partition_by=by_file_partitioning('source_file'),
    on_schema_change='sync_all_columns',
    pre_hook=["{% if is_incremental() %}{{ delete_gone_actuals_files() }}{% endif %}"],
) }}
-- The names the actuals write, per file: one row per actuals file, kind of name (region,
-- indicator, breakdown) and name as written (NULL: rows that write none, so that every file
-- read has rows here), with how many rows write it and the first line that does. The names
-- layer (int_*_names_resolved) and the list of unresolved names (int_name_candidates_ranked)
-- read these few thousand rows, not the ten million landed ones.
-- Incremental by file, as int_actuals_judged: a night reads only the rows of new and changed
-- files (macros/files_to_judge.sql); a removed or rejected file's names are deleted (the
-- pre-hook); every file is read again when the rules change (lookup_version()).

with

current_files as (

    select * from {{ ref('int_actuals_files_latest') }}
    where status = 'loaded'

),

actuals as (

    select
        source_file,
        source_line,
        region_raw,
        indicator_name_raw,
        breakdown_raw

    from {{ ref('stg_raw__actuals') }}
    where {{ files_to_judge('source_file') }}

),

names as (

    select
        source_file,
        'region' as name_kind,
        region_raw as name_raw,
        source_line

    from actuals
    union all
    select
        source_file,
        'indicator' as name_kind,
        indicator_name_raw as name_raw,
        source_line

    from actuals
    union all
    select
        source_file,
        'breakdown' as name_kind,
        breakdown_raw as name_raw,
        source_line

    from actuals

),

counted as (

    select
        source_file,
        name_kind,
        name_raw,
        count(*) as occurrences,
        min(source_line) as first_line

    from names
    group by source_file, name_kind, name_raw

),

final as (

    select
        counted.source_file,
        counted.name_kind,
        counted.name_raw,
        counted.occurrences,
        counted.first_line,
        current_files.sha256 as load_sha256,
        '{{ lookup_version() }}' as lookup_version

    from counted
    -- rows landed without an audit (by hand, in tests) have no sha256
    left join current_files on counted.source_file = current_files.source_file

)

select * from final

{#- Models incremental by actuals file (int_actuals_judged, int_actual_names_counted): the files
    a night reads again, as a predicate on `column` (a source_file column of stg_raw__actuals).
    Every file stg_raw__actuals holds but those `this` already holds from their current content
    (the sha256 of their latest load, int_actuals_files_latest) under tonight's rules
    (lookup_version()): a new or changed file, or every file when the rules changed. Rows landed
    without an audit (by hand, in tests) have no sha256: read once.
    The files are found when the model runs and written into its SQL as literals, so the scan of
    raw.actuals reads only their rows (a filter on the file column skips every other row group),
    never ten million rows to keep a few. Not incremental: every file (`true`). -#}
{% macro files_to_judge(column) -%}
    {%- if not execute or not is_incremental() -%}
        {{- return('true') -}}
    {%- endif -%}
    {%- set found -%}
        select distinct stg.source_file
        from {{ ref('stg_raw__actuals') }} as stg
        where stg.source_file not in (
            select judged.source_file
            from (
                select distinct
                    source_file,
                    load_sha256

                from {{ this }}
                where lookup_version = '{{ lookup_version() }}'
            ) as judged
            left join (
                select source_file, sha256
                from {{ ref('int_actuals_files_latest') }}
                where status = 'loaded'
            ) as current_files
                on judged.source_file = current_files.source_file
            where judged.load_sha256 is not distinct from current_files.sha256
        )
        order by stg.source_file
    {%- endset -%}
    {%- set files = run_query(found).columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{- return('false') -}}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for file in files -%}
        {%- do literals.append(quoted(file)) -%}
    {%- endfor -%}
    {{- return(column ~ ' in (' ~ literals | join(', ') ~ ')') -}}
{%- endmacro %}

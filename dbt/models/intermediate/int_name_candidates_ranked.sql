-- Names that resolve to nothing, each with its three most similar catalogue entries: indicator
-- names no alias matches (they load as uncatalogued_<hash>) and region names that resolve to no
-- code (their rows are held back: mart_actuals_quarantine). Similarity is DuckDB's
-- jaro_winkler_similarity on the name_keys; a candidate is only a suggestion, never applied:
-- a person accepts it with `eduplan names accept` (an alias row in a seed).

with

indicator_names as (

    select * from {{ ref('int_indicator_names_resolved') }}

),

actuals as (

    select * from {{ ref('stg_raw__actuals') }}

),

plan_cells as (

    select * from {{ ref('stg_raw__plan_cells') }}

),

region_names as (

    select * from {{ ref('int_region_names_resolved') }}

),

indicator_sightings as (

    select
        indicator_name_raw,
        source_file || ':' || source_line as source_ref,
        (source_file, source_line) as sighting_order

    from actuals
    union all
    select
        indicator_name_raw,
        source_file || ':' || source_line as source_ref,
        (source_file, source_line) as sighting_order

    from plan_cells

),

unresolved_indicators as (

    select
        'indicator' as name_kind,
        indicator_names.indicator_name_raw as name_raw,
        indicator_names.name_key,
        count(*) as occurrences,
        arg_min(indicator_sightings.source_ref, indicator_sightings.sighting_order)
            as first_source_ref

    from indicator_names
    inner join indicator_sightings
        on indicator_names.indicator_name_raw = indicator_sightings.indicator_name_raw
    where not indicator_names.is_catalogued
    group by all

),

unresolved_regions as (

    select
        'region' as name_kind,
        region_names.region_raw as name_raw,
        region_names.name_key,
        count(*) as occurrences,
        arg_min(
            actuals.source_file || ':' || actuals.source_line,
            (actuals.source_file, actuals.source_line)
        ) as first_source_ref

    from region_names
    inner join actuals on region_names.region_raw = actuals.region_raw
    where region_names.region_code is null
    group by all

),

unresolved as (

    select * from unresolved_indicators
    union all
    select * from unresolved_regions

),

indicator_entries as (

    select
        'indicator' as name_kind,
        indicator_code as candidate_code,
        indicator_name_zh as candidate_name

    from {{ ref('indicators') }}
    union
    select
        'indicator' as name_kind,
        indicator_code as candidate_code,
        indicator_name_raw as candidate_name

    from {{ ref('indicator_aliases') }}

),

region_entries as (

    select
        'region' as name_kind,
        region_code as candidate_code,
        region_name_zh as candidate_name

    from {{ ref('regions') }}
    union
    select
        'region' as name_kind,
        region_code as candidate_code,
        region_name_raw as candidate_name

    from {{ ref('region_aliases') }}

),

entries as (

    select
        *,
        {{ name_key('candidate_name') }} as candidate_key

    from (
        select * from indicator_entries
        union all
        select * from region_entries
    ) as all_entries

),

-- the best-matching entry of each candidate code
scored as (

    select
        unresolved.name_kind,
        unresolved.name_raw,
        entries.candidate_code,
        arg_max(entries.candidate_name, jaro_winkler_similarity(
            unresolved.name_key, entries.candidate_key
        )) as candidate_name,
        max(jaro_winkler_similarity(unresolved.name_key, entries.candidate_key)) as similarity

    from unresolved
    inner join entries on unresolved.name_kind = entries.name_kind
    group by all

),

ranked as (

    select
        *,
        row_number() over (
            partition by name_kind, name_raw
            order by similarity desc, candidate_code asc
        ) as candidate_rank

    from scored

)

select
    unresolved.name_kind,
    unresolved.name_raw,
    unresolved.name_key,
    unresolved.occurrences,
    unresolved.first_source_ref,
    ranked.candidate_rank,
    ranked.candidate_code,
    ranked.candidate_name,
    round(ranked.similarity, 3) as similarity

from unresolved
inner join ranked
    on unresolved.name_kind = ranked.name_kind
    and unresolved.name_raw = ranked.name_raw
where ranked.candidate_rank <= 3

-- Names that resolve to nothing, each with its three most similar catalogue entries (none when
-- nothing is similar at all): indicator
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

-- names first (a few hundred), then one pass over the rows that carry an unresolved name:
-- occurrences and first sighting per name, never a string built per row
unresolved_indicator_names as (

    select
        indicator_name_raw,
        name_key

    from indicator_names
    where not is_catalogued

),

indicator_sightings as (

    select
        indicator_name_raw,
        count(*) as occurrences,
        min({ 'source_file': source_file, 'source_line': source_line }) as first_sighting

    from actuals
    where indicator_name_raw in (
        select unresolved_indicator_names.indicator_name_raw from unresolved_indicator_names
    )
    group by indicator_name_raw
    union all
    select
        indicator_name_raw,
        count(*) as occurrences,
        min({ 'source_file': source_file, 'source_line': source_line }) as first_sighting

    from plan_cells
    where indicator_name_raw in (
        select unresolved_indicator_names.indicator_name_raw from unresolved_indicator_names
    )
    group by indicator_name_raw

),

unresolved_indicators as (

    select
        'indicator' as name_kind,
        names.indicator_name_raw as name_raw,
        names.name_key,
        sum(sightings.occurrences) as occurrences,
        min(sightings.first_sighting) as first_sighting

    from unresolved_indicator_names as names
    inner join indicator_sightings as sightings
        on names.indicator_name_raw = sightings.indicator_name_raw
    group by all

),

unresolved_region_names as (

    select
        region_raw,
        name_key

    from region_names
    where region_code is null

),

region_sightings as (

    select
        region_raw,
        count(*) as occurrences,
        min({ 'source_file': source_file, 'source_line': source_line }) as first_sighting

    from actuals
    where region_raw in (select unresolved_region_names.region_raw from unresolved_region_names)
    group by region_raw

),

unresolved_regions as (

    select
        'region' as name_kind,
        names.region_raw as name_raw,
        names.name_key,
        sightings.occurrences,
        sightings.first_sighting

    from unresolved_region_names as names
    inner join region_sightings as sightings on names.region_raw = sightings.region_raw

),

unresolved as (

    select
        * exclude (first_sighting),
        struct_extract(first_sighting, 'source_file') || ':'
        || struct_extract(first_sighting, 'source_line') as first_source_ref

    from (
        select * from unresolved_indicators
        union all
        select * from unresolved_regions
    ) as sighted

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
    -- an entry with nothing in common (similarity 0) is no candidate: a name may have none
    having max(jaro_winkler_similarity(unresolved.name_key, entries.candidate_key)) > 0

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
left join ranked
    on unresolved.name_kind = ranked.name_kind
    and unresolved.name_raw = ranked.name_raw
    and ranked.candidate_rank <= 3

-- Names that resolve to nothing, each with its three most similar catalogue entries (none when
-- nothing is similar at all): indicator
-- names no alias matches (they load as uncatalogued_<hash>) and region names that resolve to no
-- code (their rows are held back: mart_actuals_quarantine). Similarity is Jaro-Winkler on
-- the name_keys' characters (macro name_similarity, the same on every engine); a candidate is
-- only a suggestion, never applied: a person accepts it with `eduplan names accept` (an alias
-- row in a seed).

with

indicator_names as (

    select * from {{ ref('int_indicator_names_resolved') }}

),

-- the names the actuals write, per file: how often and the first line (not every landed row)
actual_names as (

    select * from {{ ref('int_actual_names_counted') }}
    where name_kind in ('indicator', 'region')
        and name_raw is not null

),

plan_cells as (

    select * from {{ ref('stg_raw__plan_cells') }}

),

region_names as (

    select * from {{ ref('int_region_names_resolved') }}

),

-- targets stated in prose whose subject resolves to no indicator (accepting an indicator alias
-- for the subject resolves it: `eduplan names accept SUBJECT CODE`)
commitments as (

    select * from {{ ref('int_commitments_resolved') }}
    where indicator_code is null and subject_raw is not null

),

-- both kinds of name go through one pipeline, told apart by name_kind: the unresolved names,
-- where each is used, and the catalogue entries it may be matched against
unresolved_names as (

    select
        'indicator' as name_kind,
        indicator_name_raw as name_raw,
        name_key

    from indicator_names
    where not is_catalogued
    union all
    select
        'region' as name_kind,
        region_raw as name_raw,
        name_key

    from region_names
    where region_code is null
    union
    select
        'commitment' as name_kind,
        subject_raw as name_raw,
        subject_key as name_key

    from commitments

),

usages as (

    select
        name_kind,
        name_raw,
        source_file,
        first_line as source_line,
        occurrences

    from actual_names
    union all
    select
        'indicator' as name_kind,
        indicator_name_raw as name_raw,
        source_file,
        source_line,
        1 as occurrences

    from plan_cells
    union all
    select
        'commitment' as name_kind,
        subject_raw as name_raw,
        source_file,
        source_line,
        1 as occurrences

    from commitments

),

-- names first (a few hundred), then one pass over where they are written (per actuals file, per
-- plan row): occurrences and first sighting per name, never a string built per row
sighted as (

    select
        names.name_kind,
        names.name_raw,
        names.name_key,
        cast(sum(usages.occurrences) as bigint) as occurrences,
        min({{ struct_of([
            ('source_file', 'usages.source_file'), ('source_line', 'usages.source_line')
        ]) }}) as first_sighting

    from unresolved_names as names
    inner join usages
        on names.name_kind = usages.name_kind
        and names.name_raw = usages.name_raw
    group by all

),

unresolved as (

    select
        {{ star_except('sighted', ['first_sighting']) }},
        {{ struct_field('first_sighting', 'source_file') }} || ':'
        || {{ struct_field('first_sighting', 'source_line') }} as first_source_ref

    from sighted

),

catalogue_entries as (

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
    union
    select
        'commitment' as name_kind,
        indicator_code as candidate_code,
        indicator_name_zh as candidate_name

    from {{ ref('indicators') }}
    union
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

    from catalogue_entries

),

-- the best-matching entry of each candidate code; similarity to 9 places, so that engines
-- whose floating point differs in the last bits rank equal scores the same way
{%- set similarity -%}
    round({{ name_similarity('unresolved.name_key', 'entries.candidate_key') }}, 9)
{%- endset %}
scored as (

    select
        unresolved.name_kind,
        unresolved.name_raw,
        entries.candidate_code,
        -- the most similar entry; of equally similar ones, the first by name
        min_by(
            entries.candidate_name,
            {{ struct_of([
                ('dissimilarity', '-' ~ similarity), ('candidate_name', 'entries.candidate_name')
            ]) }}
        ) as candidate_name,
        max({{ similarity }}) as similarity

    from unresolved
    inner join entries on unresolved.name_kind = entries.name_kind
    group by all
    -- an entry with nothing in common (similarity 0) is no candidate: a name may have none
    having max({{ similarity }}) > 0

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

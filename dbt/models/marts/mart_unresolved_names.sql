-- Names no rule resolves, with their three best catalogue candidates: what `eduplan names`
-- lists and the nightly summary prints, so a person can accept the right one.

with

candidates as (

    select * from {{ ref('int_name_candidates_ranked') }}

)

select
    name_kind,
    name_raw,
    name_key,
    cast(occurrences as bigint) as occurrences,
    first_source_ref,
    cast(candidate_rank as integer) as candidate_rank,
    candidate_code,
    candidate_name,
    cast(similarity as double) as similarity

from candidates

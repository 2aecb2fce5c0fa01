-- Fails when two aliases that share a name_key (the same name in another spelling, or after a
-- synonym rule of the var name_synonyms) point to different indicators or breakdowns: a name
-- would then resolve to two targets. Fix the alias, or narrow the synonym rule.

with

indicator_keys as (

    select
        'indicator' as name_kind,
        {{ name_key('indicator_name_raw') }} as name_key,
        indicator_code || '/' || coalesce(breakdown_code, '') as resolves_to

    from {{ ref('indicator_aliases') }}

),

breakdown_keys as (

    select
        'breakdown' as name_kind,
        {{ name_key('breakdown_raw') }} as name_key,
        breakdown_code as resolves_to

    from {{ ref('breakdown_aliases') }}

),

all_keys as (

    select * from indicator_keys
    union all
    select * from breakdown_keys

)

select
    name_kind,
    name_key,
    string_agg(distinct resolves_to, ', ') as resolves_to

from all_keys
group by name_kind, name_key
having count(distinct resolves_to) > 1

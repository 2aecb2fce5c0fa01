-- Fails when two aliases that share a name_key (the same name in another spelling, or after a
-- synonym rule of the var name_synonyms) point to different indicators or breakdowns: a name
-- would then resolve to two targets. The catalogue's own names (code, Chinese, English) count as
-- aliases of their code. Fix the alias, or narrow the synonym rule.

with

indicator_keys as (

    select
        'indicator' as name_kind,
        {{ name_key('indicator_name_raw') }} as name_key,
        indicator_code || '/' || coalesce(breakdown_code, '') as resolves_to

    from {{ ref('indicator_aliases') }}

),

-- the catalogue's own names (code, Chinese, English) resolve too, unless an alias has their key
catalogue_keys as (

    select
        'indicator' as name_kind,
        {{ name_key('catalogue_name') }} as name_key,
        indicator_code || '/' as resolves_to

    from {{ catalogue_names() }} as catalogue
    where {{ name_key('catalogue_name') }} not in (
        select indicator_keys.name_key from indicator_keys
    )

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
    select * from catalogue_keys
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

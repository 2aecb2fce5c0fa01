-- Targets stated in prose with the plan's region and the indicator their subject names,
-- resolved through the same names layer as table cells and actuals: the alias seed first, then
-- the catalogue's own names, both compared on name_key (macros/name_key.sql). A subject is tried
-- as written and without a leading scope word (全区, 全市: the vocabulary region_scope in
-- dbt_project.yml; the plan's region is the commitment's region either way). A subject that
-- resolves to nothing keeps a null indicator_code and is listed by `eduplan names`
-- (int_name_candidates_ranked, name_kind commitment).

with

commitments as (

    select * from {{ ref('stg_raw__plan_commitments') }}

),

documents as (

    select plan_id, region_code from {{ ref('stg_raw__plan_documents') }}

),

name_keys as (

    select * from {{ indicator_name_keys() }} as name_keys

),

keyed as (

    select
        commitments.*,
        documents.region_code,
        {{ name_key('commitments.subject_raw') }} as subject_key,
        {{ name_key(regex_replace_all(
            'commitments.subject_raw',
            '^(' ~ vocabulary_words('region_scope') | join('|') ~ ')',
            ''
        )) }}
            as subject_key_unscoped

    from commitments
    left join documents on commitments.plan_id = documents.plan_id

),

final as (

    select
        keyed.*,
        coalesce(as_written.indicator_code, unscoped.indicator_code) as indicator_code,
        coalesce(
            as_written.breakdown_code, unscoped.breakdown_code, 'total'
        ) as breakdown

    from keyed
    left join name_keys as as_written on keyed.subject_key = as_written.name_key
    left join name_keys as unscoped
        on keyed.subject_key_unscoped = unscoped.name_key
        and as_written.name_key is null

)

select * from final

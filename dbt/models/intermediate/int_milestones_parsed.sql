-- Schedule cells with their region resolved and what can be read from the text: a percentage,
-- whether the cell says the standard is met, a provincial rank. A header that is a plan_region
-- word of the vocabulary region_scope (`全市创建`, `全区`; dbt_project.yml) is the plan's own
-- region; a district header (`越城区`) is matched by name among that region's children.

{%- set header_is_plan_region = is_vocabulary_word(
    'milestones.region_raw', 'region_scope', 'plan_region'
) %}

with

milestones as (

    select * from {{ ref('stg_raw__plan_milestones') }}

),

documents as (

    select plan_id, region_code from {{ ref('stg_raw__plan_documents') }}

),

regions as (

    select region_code, region_name_zh, parent_region_code from {{ ref('regions') }}

),

located as (

    select
        milestones.*,
        documents.region_code as plan_region_code,
        {{ header_is_plan_region }} as is_plan_region,
        coalesce(
            case
                when {{ header_is_plan_region }} then documents.region_code
            end,
            child.region_code
        ) as region_code

    from milestones
    left join documents on milestones.plan_id = documents.plan_id
    left join regions as child
        on documents.region_code = child.parent_region_code
        and milestones.region_raw = child.region_name_zh

),

parsed as (

    select
        *,
        try_cast(
            nullif({{ regex_extract('milestone_text', '([0-9]+(\\.[0-9]+)?)\\s*[%％]', 1) }}, '')
            as decimal(38, 10)
        ) as percent_value,
        case
            when milestone_text like '%基本达到创建标准%' then 'basically_meets_standard'
            when milestone_text like '%达到创建标准%' then 'meets_standard'
            when milestone_text like '%通过评估验收%' then 'passed_evaluation'
            when milestone_text like '%高于全省平均%' then 'above_provincial_average'
            when milestone_text like '%达到全省平均%' then 'at_provincial_average'
            when milestone_text like '%列全省前%' then 'provincial_rank'
            when {{ regex_contains('milestone_text', '达到\\s*[0-9.]+\\s*[%％]') }}
                then 'reaches_percent'
            else 'other'
        end as milestone_kind,
        case {{ regex_extract('milestone_text', '前([一二三四五六七八九十0-9]+)位', 1) }}
            when '' then null
            when '一' then 1
            when '二' then 2
            when '三' then 3
            when '四' then 4
            when '五' then 5
            when '六' then 6
            when '七' then 7
            when '八' then 8
            when '九' then 9
            when '十' then 10
            else try_cast({{ regex_extract('milestone_text', '前([0-9]+)位', 1) }} as integer)
        end as provincial_rank_top_n

    from located

),

final as (

    select
        *,
        milestone_kind in ('meets_standard', 'passed_evaluation') as meets_standard

    from parsed

)

select * from final

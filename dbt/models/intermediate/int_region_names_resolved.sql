-- Every region as written in the actuals resolved to its GB/T 2260 code, compared on name_key:
-- the code itself; a name unique in China (浙江省, 海宁市); a name prefixed by its parent's or
-- by its parent's and grandparent's (杭州市余杭区, 浙江省杭州市余杭区: also what makes a name
-- ambiguous alone, such as 鼓楼区, resolvable); an accepted alias (seeds/region_aliases.csv).
-- A name that resolves to nothing has region_code NULL: its rows are held back
-- (int_actuals_checked) and it is listed with candidates in mart_unresolved_names.

with

regions as (

    select * from {{ ref('regions') }}

),

written as (

    select distinct name_raw as region_raw
    from {{ ref('int_actual_names_counted') }}
    where name_kind = 'region'
        and name_raw is not null

),

name_counts as (

    select
        region_name_zh,
        count(*) as regions_named

    from regions
    group by region_name_zh

),

codes as (

    select
        region_code as region_key,
        region_code,
        1 as priority

    from regions

),

unique_names as (

    select
        regions.region_name_zh as region_key,
        regions.region_code,
        2 as priority

    from regions
    inner join name_counts on regions.region_name_zh = name_counts.region_name_zh
    where name_counts.regions_named = 1

),

parent_prefixed as (

    select
        parents.region_name_zh || regions.region_name_zh as region_key,
        regions.region_code,
        3 as priority

    from regions
    inner join regions as parents on regions.parent_region_code = parents.region_code

),

grandparent_prefixed as (

    select
        grandparents.region_name_zh || parents.region_name_zh || regions.region_name_zh
            as region_key,
        regions.region_code,
        3 as priority

    from regions
    inner join regions as parents on regions.parent_region_code = parents.region_code
    inner join regions as grandparents
        on parents.parent_region_code = grandparents.region_code

),

aliases as (

    select
        region_name_raw as region_key,
        region_code,
        4 as priority

    from {{ ref('region_aliases') }}

),

region_keys as (

    select
        {{ name_key('region_key') }} as name_key,
        min_by(region_code, priority) as region_code

    from (
        select * from codes
        union all
        select * from unique_names
        union all
        select * from parent_prefixed
        union all
        select * from grandparent_prefixed
        union all
        select * from aliases
    ) as all_keys
    group by all

),

written_keys as (

    select
        region_raw,
        {{ name_key('region_raw') }} as name_key

    from written

)

select
    written_keys.region_raw,
    written_keys.name_key,
    region_keys.region_code

from written_keys
left join region_keys on written_keys.name_key = region_keys.name_key

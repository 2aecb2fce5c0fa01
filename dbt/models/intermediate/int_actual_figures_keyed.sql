{{ config(
    materialized=by_figure_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['region_code', 'indicator_code', 'breakdown', 'year'],
    on_schema_change='sync_all_columns',
) }}
-- The persisted state of the actuals' figures: one row per usable actuals row (no problem of its
-- own) with its figure (region, indicator, breakdown, year) and its judgement across files:
-- `problem` is NULL for a figure, else why it is held back (the same value again keeps its first
-- (file, line) and holds back the others: duplicate_row; different values hold back every one
-- of them: duplicate_disagrees). A figure that no row gives any more keeps one row with no file
-- (a tombstone) so that fct_indicator_actual learns to drop it.
-- Incremental by figure: a night finds the files whose judged rows changed since this table was
-- built (a file judged again, new, or gone: its (source_file, judged_in) pairs differ), takes the
-- figures their rows touch, old (from this table) and new (from int_actuals_judged), and judges
-- only those figures again, from every row that gives them. `generation` counts the builds:
-- fct_indicator_actual recomputes the figures of the generations it has not taken yet.

{#- the usable rows of int_actuals_judged, written where they are read (a CTE read twice would be
    materialized whole: every landed row, every night) -#}
{%- set usable -%}
    select
        source_file,
        source_line,
        judged_in,
        region_code,
        indicator_code,
        breakdown,
        year,
        value_in_catalogue_unit,
        value_text

    from {{ ref('int_actuals_judged') }}
    where {{ list_length('row_problems') }} = 0
{%- endset %}

with

{% if is_incremental() %}

-- each file's judged_in, in tonight's judged rows and in this table: one pass over each (a CTE
-- read twice is materialized, here one row a file)
judged_pairs as (

    select distinct source_file, judged_in from {{ ref('int_actuals_judged') }}

),

keyed_pairs as (

    select distinct source_file, judged_in from {{ this }}
    where source_file is not null

),

-- a file whose rows were judged again (new, changed, rules changed) or that left: its pairs
-- differ between the previous state and tonight's judged rows (a file with no usable row shows
-- up every night and touches no figure)
changed_files as (

    (
        select source_file, judged_in from judged_pairs
        except
        select source_file, judged_in from keyed_pairs
    )
    union
    (
        select source_file, judged_in from keyed_pairs
        except
        select source_file, judged_in from judged_pairs
    )

),

-- the figures the changed files' rows give, before (this table) and now
touched as (

    select distinct
        region_code,
        indicator_code,
        breakdown,
        year

    from (
        select region_code, indicator_code, breakdown, year
        from {{ this }}
        where source_file in (select changed_files.source_file from changed_files)
        union all
        select region_code, indicator_code, breakdown, year
        from ({{ usable }}) as usable
        where source_file in (select changed_files.source_file from changed_files)
    ) as keys

),

-- every row that gives a touched figure, of any file
batch as (

    select usable.*
    from ({{ usable }}) as usable
    inner join touched
        on usable.region_code = touched.region_code
        and usable.indicator_code = touched.indicator_code
        and usable.breakdown = touched.breakdown
        and usable.year = touched.year

),

generation as (

    select coalesce(max(generation), 0) + 1 as generation from {{ this }}

),

{% else %}

generation as (

    select 1 as generation

),

{% endif %}

{#- the rows judged tonight: the touched figures' rows (a small CTE), or on a full build every
    usable row, read where it is used (three scans of the judged columns cost less than
    materializing ten million rows) -#}
{%- set rows = 'batch' if is_incremental() else '(' ~ usable ~ ')' %}

-- candidates are found on a 64-bit hash of the figure (one integer per row to group, not four
-- strings), then checked on the figure itself, so a hash collision never flags a row
repeated_hashes as (

    select hash(region_code, indicator_code, breakdown, year) as figure_hash
    from {{ rows }} as tonight
    group by figure_hash
    having count(*) > 1

),

candidates as (

    select *
    from {{ rows }} as tonight
    where hash(region_code, indicator_code, breakdown, year) in (
        select repeated_hashes.figure_hash from repeated_hashes
    )

),

figures as (

    select
        region_code,
        indicator_code,
        breakdown,
        year,
        count(distinct value_in_catalogue_unit) as values_given,
        min_by(
            source_file || ':' || source_line,
            {{ struct_of([('source_file', 'source_file'), ('source_line', 'source_line')]) }}
        ) as first_ref

    from candidates
    group by region_code, indicator_code, breakdown, year
    having count(*) > 1

),

judged_across_files as (

    select
        tonight.source_file,
        tonight.source_line,
        tonight.judged_in,
        tonight.region_code,
        tonight.indicator_code,
        tonight.breakdown,
        tonight.year,
        tonight.value_in_catalogue_unit,
        case
            when figures.values_given > 1 then {{ struct_of([
                ('column', "'value'"),
                ('raw_value', 'tonight.value_text'),
                ('reason', "'duplicate_disagrees'"),
                ('detail', "'the same figure has different values (first at ' || figures.first_ref || ')'"),
            ]) }}
            when figures.first_ref <> tonight.source_file || ':' || tonight.source_line
                then {{ struct_of([
                ('column', "'value'"),
                ('raw_value', 'tonight.value_text'),
                ('reason', "'duplicate_row'"),
                ('detail', "'the same figure is already at ' || figures.first_ref"),
            ]) }}
        end as problem

    from {{ rows }} as tonight
    left join figures
        on tonight.region_code = figures.region_code
        and tonight.indicator_code = figures.indicator_code
        and tonight.breakdown = figures.breakdown
        and tonight.year = figures.year

),

{% if is_incremental() %}

-- a touched figure no row gives any more
tombstones as (

    select
        cast(null as string) as source_file,
        cast(null as integer) as source_line,
        cast(null as string) as judged_in,
        touched.region_code,
        touched.indicator_code,
        touched.breakdown,
        touched.year,
        cast(null as decimal(38, 10)) as value_in_catalogue_unit,
        null as problem

    from touched
    left join batch
        on touched.region_code = batch.region_code
        and touched.indicator_code = batch.indicator_code
        and touched.breakdown = batch.breakdown
        and touched.year = batch.year
    where batch.region_code is null

),

{% endif %}

final as (

    select
        judged_across_files.*,
        generation.generation

    from judged_across_files
    cross join generation
    {%- if is_incremental() %}

    union all

    select
        tombstones.*,
        generation.generation

    from tombstones
    cross join generation
    {%- endif %}

)

select * from final

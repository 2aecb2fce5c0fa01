{{ config(materialized='table') }}
-- One row per usable actuals row (no problem of its own) whose figure (region, indicator,
-- breakdown and year) is given more than once across all files, with its problem: the same
-- value again keeps its first (file, line) and holds back the others (duplicate_row);
-- different values hold back every one of them (duplicate_disagrees). Usually empty.
-- Candidates are found on a 64-bit hash of the figure (one integer per row to group, not four
-- strings), then checked on the figure itself, so a hash collision never flags a row.

with

usable as (

    select
        source_file,
        source_line,
        region_code,
        indicator_code,
        breakdown,
        year,
        value_in_catalogue_unit,
        value_text,
        hash(region_code, indicator_code, breakdown, year) as figure_hash

    from {{ ref('int_actuals_judged') }}
    where {{ list_length('row_problems') }} = 0

),

repeated_hashes as (

    select figure_hash
    from usable
    group by figure_hash
    having count(*) > 1

),

candidates as (

    select *
    from usable
    where figure_hash in (select repeated_hashes.figure_hash from repeated_hashes)

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

)

select
    candidates.source_file,
    candidates.source_line,
    case
        when figures.values_given > 1 then {{ struct_of([
            ('column', "'value'"),
            ('raw_value', 'candidates.value_text'),
            ('reason', "'duplicate_disagrees'"),
            ('detail', "'the same figure has different values (first at ' || figures.first_ref || ')'"),
        ]) }}
        else {{ struct_of([
            ('column', "'value'"),
            ('raw_value', 'candidates.value_text'),
            ('reason', "'duplicate_row'"),
            ('detail', "'the same figure is already at ' || figures.first_ref"),
        ]) }}
    end as problem

from candidates
inner join figures
    on candidates.region_code = figures.region_code
    and candidates.indicator_code = figures.indicator_code
    and candidates.breakdown = figures.breakdown
    and candidates.year = figures.year
where figures.values_given > 1
    or figures.first_ref <> candidates.source_file || ':' || candidates.source_line

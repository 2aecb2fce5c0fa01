{#- fct_indicator_actual's own state beside int_actual_figures_keyed (macros for its hooks and
    SQL): the rules it was built under and the last generation of figures it took. A night
    recomputes only the figures of later generations; under other rules (a changed model, seed
    or macro: lookup_version() and the fact's own checksum) it takes every figure again. -#}

{#- Named, not ref()'d: the tests of the fact read them too (macros/test_where.sql). -#}
{% macro figures_keyed_relation(database) %}
    {{- return(api.Relation.create(
        database=database,
        schema=generate_schema_name('intermediate', none) | trim,
        identifier='int_actual_figures_keyed'
    )) -}}
{% endmacro %}

{% macro figures_taken_relation(database=none) %}
    {{- return(api.Relation.create(
        database=database or this.database,
        schema=generate_schema_name('intermediate', none) | trim,
        identifier='fct_indicator_actual__taken'
    )) -}}
{% endmacro %}

{% macro figures_taken_version() %}
    {{- return(lookup_version() ~ ':' ~ model.checksum.checksum) -}}
{% endmacro %}

{#- The generation the fact took last, when it was built under tonight's rules; else none (take
    every figure again). -#}
{% macro figures_taken_generation() %}
    {%- if not execute or not is_incremental() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set relation = figures_taken_relation() -%}
    {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set found = run_query(
        "select generation from " ~ relation ~ " where version = '"
        ~ figures_taken_version() ~ "'"
    ) -%}
    {%- if found.rows | length == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(found.rows[0][0]) -}}
{% endmacro %}

{#- The figures (region, indicator, breakdown, year) judged again since the fact took them. -#}
{% macro figures_touched_since(generation) %}
    select distinct region_code, indicator_code, breakdown, year
    from {{ ref('int_actual_figures_keyed') }}
    where generation > {{ generation }}
{% endmacro %}

{#- The years of the figures judged again since `generation`, as a predicate on `column`:
    `column between first and last` (`false` when no figure was). Implied by a match with
    figures_touched_since, and written as constants found when the model runs, so that a scan
    of the fact or the actuals skips the row groups of other years (a new year's file touches
    one year), where a join alone reads every row. -#}
{% macro figures_touched_years(generation, column) %}
    {%- if not execute -%}
        {{- return('true') -}}
    {%- endif -%}
    {%- set found = run_query(
        "select min(year), max(year) from " ~ ref('int_actual_figures_keyed')
        ~ " where generation > " ~ generation
    ) -%}
    {%- set first, last = found.rows[0][0], found.rows[0][1] -%}
    {%- if first is none -%}
        {{- return('false') -}}
    {%- endif -%}
    {{- return(column ~ ' between ' ~ first ~ ' and ' ~ last) -}}
{% endmacro %}

{#- Pre-hook: take away what tonight's build inserts again (the plans' figures and the touched
    actuals' figures), or everything when the rules changed. -#}
{% macro figures_taken_delete() %}
    {%- set generation = figures_taken_generation() -%}
    {%- set derived = [] -%}
    {%- for kind in vocabulary_codes('derived_source_kind') -%}
        {%- do derived.append("'" ~ kind ~ "'") -%}
    {%- endfor -%}
    {%- if generation is none -%}
        delete from {{ this }}
    {%- else -%}
        delete from {{ this }} as fact
        where fact.source_kind in ({{ derived | join(', ') }})
            or {{ figures_touched_years(generation, 'fact.year') }} and exists (
                select 1
                from ({{ figures_touched_since(generation) }}) as touched
                where touched.region_code = fact.region_code
                    and touched.indicator_code = fact.indicator_code
                    and touched.breakdown = fact.breakdown
                    and touched.year = fact.year
            )
    {%- endif -%}
{% endmacro %}

{#- Post-hook: the generation taken, the one taken before (0: every figure was taken again
    tonight) and the rules it was taken under. -#}
{% macro figures_taken_record() %}
    create or replace table {{ figures_taken_relation() }} as
    select
        '{{ figures_taken_version() }}' as version,
        coalesce(max(generation), 0) as generation,
        {{ figures_taken_generation() or 0 }} as taken_from
    from {{ ref('int_actual_figures_keyed') }}
{% endmacro %}

{#- The rows of fct_indicator_actual tonight's build inserted (the plans' figures and the
    figures judged again): what the fact's per-row tests check on a night that is not a full
    pass (tests on changed rows, macros/test_where.sql). -#}
{% macro figures_taken_tonight(alias, database) %}
    {%- set taken = figures_taken_relation(database) -%}
    ({{ plans_figures(alias) }}
        or {{ judged_since(alias, database, '(select max(taken_from) from ' ~ taken ~ ')') }})
{%- endmacro %}

{#- The plans' figures among the fact's rows `alias`: their source kinds are the derived ones
    (the vocabulary's `derived_source_kind`). -#}
{% macro plans_figures(alias) %}
    {%- set derived = [] -%}
    {%- for kind in vocabulary_codes('derived_source_kind') -%}
        {%- do derived.append("'" ~ kind ~ "'") -%}
    {%- endfor -%}
    {{- alias }}.source_kind in ({{ derived | join(', ') }})
{%- endmacro %}

{#- Whether the figure of the fact's row `alias` was judged again after `generation` (SQL: a
    constant or a subquery): int_actual_figures_keyed has it in a later generation. -#}
{% macro judged_since(alias, database, generation) %}
    exists (
            select 1
            from {{ figures_keyed_relation(database) }} as keyed
            where keyed.region_code = {{ alias }}.region_code
                and keyed.indicator_code = {{ alias }}.indicator_code
                and keyed.breakdown = {{ alias }}.breakdown
                and keyed.year = {{ alias }}.year
                and keyed.generation > {{ generation }}
        )
{%- endmacro %}

{#- The same rows as figures_taken_tonight, for a test compiled after the fact was built: two
    disjoint conditions on `alias` (the plans' figures; the figures judged again), to be read as
    a UNION ALL, with the generation the fact took from and the years of the figures judged
    since written as constants found when the test runs. Each branch then reads only its own row
    groups (the plans' figures, inserted last; the touched years' rows of the fact and the later
    generations of int_actual_figures_keyed), where one condition with `or` probes every row of
    the fact. Exactly the rows figures_taken_tonight selects: a row whose figure is judged again
    has that figure's year, which lies between the touched years' first and last. -#}
{% macro figures_taken_tonight_branches(alias, database) %}
    {%- set keyed = figures_keyed_relation(database) -%}
    {%- set taken_from = run_query(
        'select max(taken_from) from ' ~ figures_taken_relation(database)
    ).rows[0][0] -%}
    {%- set plans = plans_figures(alias) | trim -%}
    {%- if taken_from is none -%}
        {{- return([plans]) -}}
    {%- endif -%}
    {%- set years = run_query(
        'select min(year), max(year) from ' ~ keyed ~ ' where generation > ' ~ taken_from
    ).rows[0] -%}
    {%- if years[0] is none -%}
        {{- return([plans]) -}}
    {%- endif -%}
    {%- set judged_again -%}
        not coalesce({{ plans }}, false)
        and {{ alias }}.year between {{ years[0] }} and {{ years[1] }}
        and {{ judged_since(alias, database, taken_from) }}
    {%- endset -%}
    {{- return([plans, judged_again]) -}}
{% endmacro %}

{#- Post-hook: the rows tonight's build took, as a view the marts gate reads (the fact's
    row-local rule on a night that is no full pass: expectations/mart_suites.py), so that rule
    has one owner, figures_taken_tonight above. Evaluated when read: the state it reads is the
    file's own. Named without the database, like the dbt views: the file may be opened under
    another name. -#}
{% macro figures_taken_tonight_relation() %}
    {{- return(api.Relation.create(
        schema=generate_schema_name('intermediate', none) | trim,
        identifier='fct_indicator_actual__tonight'
    )) -}}
{% endmacro %}

{% macro figures_taken_tonight_view() %}
    create or replace view {{ figures_taken_tonight_relation() }} as
    select fact.*
    from {{ api.Relation.create(schema=this.schema, identifier=this.identifier) }} as fact
    where {{ figures_taken_tonight('fact', none) }}
{% endmacro %}

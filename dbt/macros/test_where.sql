{#- Tests on what changed: on a night that is not a full pass, the large per-row tests over the
    actuals check only the rows tonight's build could have changed; the other rows passed the
    same test, on the same values, on the night they came. A full pass checks every row: on
    --full-refresh (every model is rebuilt, every row is tonight's) and when the flow asks for
    one (full_tests() below; flows/transform.py, weekly by default). A test it limits carries
    the mark "eduplan: tonight's rows" (flows/transform.py TONIGHTS_ROWS_MARK names them in the
    night's summary). Every other test, and the singular tests, check every row.

    - fct_indicator_actual, every test (not null, relationships, vocabulary, the unique grain:
      a duplicate can only share a figure the night touched): the rows tonight's build inserted
      (macros/figures_taken.sql figures_taken_tonight_branches: constants found when the test
      runs, so it reads the rows of tonight's years, not every row); the rows it kept are those
      the same tests passed.
    - stg_raw__actuals and int_actuals_judged, unique (source_file, source_line): the rows of
      the files tonight's load landed (their newest audit row says `loaded`:
      flows/load/actuals_audit.py LOADED_TONIGHT, the raw gate's "tonight's changed rows").
      Both hold a file's rows together: the loader replaces them whole, and int_actuals_judged
      judges them whole (incremental by file, unique_key source_file) when the file's content
      is new, so a duplicate pair belongs to one file. A file not loaded tonight holds the rows
      it held when the last published build passed this test on them: a night builds on the
      published warehouse, and a night whose build or gates fail publishes nothing, so its files
      are loaded, and checked, again the next night. int_actuals_judged judges an unchanged
      file again only under new rules (lookup_version(): a changed project), and that night is
      a full pass.
    Each rule names the test it limits, not its columns' not_null tests: a filter on
    source_file would hide the very rows a not_null(source_file) looks for.
    Overrides dbt's get_where_subquery, keeping its `where` config. -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set tonight = tonights_rows(relation) if execute and not full_tests() else none -%}
    {%- if tonight or where -%}
        {%- set filtered -%}
            (
            {%- for branch in (tonight or [none]) %}
            {%- if not loop.first %}
            union all
            {%- endif %}
            select * from {{ relation }} as tested
            where {{ where if where else 'true' }}
            {%- if branch %} /* eduplan: tonight's rows */ and {{ branch }}{% endif %}
            {%- endfor %}
            ) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- Tonight's rows of `relation` for the test being compiled (see above), as disjoint
    conditions on `tested` whose rows are read as a UNION ALL, or none: every row. -#}
{% macro tonights_rows(relation) -%}
    {%- set test = (model.get('test_metadata') or {}).get('name') -%}
    {%- if relation.identifier == 'fct_indicator_actual' and existing(
        figures_taken_relation(relation.database)
    ) -%}
        {%- do return(figures_taken_tonight_branches('tested', relation.database)) -%}
    {%- elif relation.identifier in ('stg_raw__actuals', 'int_actuals_judged')
        and test == 'unique_combination_of_columns' -%}
        {%- set audit = api.Relation.create(
            database=relation.database,
            schema=generate_schema_name('staging', none) | trim,
            identifier='stg_raw__actuals_load_audit'
        ) -%}
        {%- if existing(audit) -%}
            {%- do return([
                "tested.source_file in (select newest.source_file from (select source_file, "
                ~ "status from " ~ audit ~ " qualify row_number() over (partition by "
                ~ "source_file order by loaded_at desc) = 1) as newest "
                ~ "where newest.status = 'loaded')"
            ]) -%}
        {%- endif -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}

{% macro existing(relation) -%}
    {%- do return(
        adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none
    ) -%}
{%- endmacro %}

{#- Whether tonight's tests check every row: the flow sets EDUPLAN_FULL_TESTS
    (flows/transform.py FULL_TESTS_ENV: an environment variable, read only when a test runs, so
    that a full pass leaves dbt's saved parse state usable by the next night), a hand run may
    pass --vars '{full_tests: true}'. -#}
{% macro full_tests() -%}
    {%- do return(
        var('full_tests', false)
        or (execute and env_var('EDUPLAN_FULL_TESTS', 'false') | lower in ('true', '1'))
    ) -%}
{%- endmacro %}

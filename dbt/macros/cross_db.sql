{#- Every construct DuckDB and Spark SQL spell differently, written once, dispatched by adapter
    (adapter.dispatch): a duckdb__ and a spark__ version of each. A model or test never calls an
    engine-specific function itself; `make lint` (scripts/lint_cross_db.py) fails on a DuckDB-only
    spelling outside this file. Types are spelled the way both engines accept (string, integer,
    double, decimal(p, s), boolean, date, bigint).

    Patterns and other literal text are given as Jinja strings and quoted by `quoted`: Spark
    reads a backslash in a string literal as an escape ('\s+' would reach the regex engine as
    's+'), DuckDB keeps it. -#}


{#- A SQL string literal holding `text` exactly as given. -#}
{% macro quoted(text) -%}
    {{ return(adapter.dispatch('quoted', 'eduplan')(text)) }}
{%- endmacro %}

{% macro default__quoted(text) -%}
    {{ return("'" ~ (text | string).replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__quoted(text) -%}
    {{ return("'" ~ (text | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{%- endmacro %}


{#- True when the whole of `text` matches the regular expression `pattern` (a Jinja string). -#}
{% macro regex_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'eduplan')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(text, pattern) -%}
    regexp_full_match({{ text }}, {{ quoted(pattern) }})
{%- endmacro %}

{% macro spark__regex_full_match(text, pattern) -%}
    ({{ text }} rlike {{ quoted('^(?:' ~ pattern ~ ')$') }})
{%- endmacro %}


{#- True when the regular expression `pattern` matches somewhere in `text`. -#}
{% macro regex_contains(text, pattern) -%}
    {{ return(adapter.dispatch('regex_contains', 'eduplan')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(text, pattern) -%}
    regexp_matches({{ text }}, {{ quoted(pattern) }})
{%- endmacro %}

{% macro spark__regex_contains(text, pattern) -%}
    ({{ text }} rlike {{ quoted(pattern) }})
{%- endmacro %}


{#- `text` with every match of `pattern` replaced by `replacement` (both Jinja strings). -#}
{% macro regex_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'eduplan')(text, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ quoted(pattern) }}, {{ quoted(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ quoted(pattern) }}, {{ quoted(replacement) }})
{%- endmacro %}


{#- The first capture `group` of `pattern` in `text`; '' when it does not match (both engines). -#}
{% macro regex_extract(text, pattern, group) -%}
    regexp_extract({{ text }}, {{ quoted(pattern) }}, {{ group }})
{%- endmacro %}


{#- True when `text` begins with `prefix` (SQL expressions; no LIKE wildcards). -#}
{% macro text_starts_with(text, prefix) -%}
    {{ return(adapter.dispatch('text_starts_with', 'eduplan')(text, prefix)) }}
{%- endmacro %}

{% macro default__text_starts_with(text, prefix) -%}
    starts_with({{ text }}, {{ prefix }})
{%- endmacro %}

{% macro spark__text_starts_with(text, prefix) -%}
    startswith({{ text }}, {{ prefix }})
{%- endmacro %}


{#- A decimal as text with all `scale` decimal places (0.0000000000, not Spark's 0E-10). -#}
{% macro decimal_text(value, scale) -%}
    {{ return(adapter.dispatch('decimal_text', 'eduplan')(value, scale)) }}
{%- endmacro %}

{% macro default__decimal_text(value, scale) -%}
    cast(cast({{ value }} as decimal(38, {{ scale }})) as string)
{%- endmacro %}

{#- Spark prints a decimal with Java's BigDecimal.toString (0E-10, 1.000E-7): the integer and
    fraction digits are printed apart, each as a whole number -#}
{% macro spark__decimal_text(value, scale) -%}
    {%- set magnitude = 'abs(cast(' ~ value ~ ' as decimal(38, ' ~ scale ~ ')))' -%}
    case when {{ value }} is not null then concat(
        case when {{ value }} < 0 then '-' else '' end,
        cast(floor({{ magnitude }}) as string),
        '.',
        lpad(cast(cast(({{ magnitude }} - floor({{ magnitude }})) * 1{{ '0' * scale }}
            as decimal(38, 0)) as string), {{ scale }}, '0')
    ) end
{%- endmacro %}


{#- A struct value from (name, SQL expression) pairs, fields in the given order. -#}
{% macro struct_of(fields) -%}
    {{ return(adapter.dispatch('struct_of', 'eduplan')(fields)) }}
{%- endmacro %}

{% macro default__struct_of(fields) -%}
    { {%- for name, value in fields %}{{ quoted(name) }}: {{ value }}{{ ', ' if not loop.last }}{% endfor -%} }
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct({%- for name, value in fields %}{{ quoted(name) }}, {{ value }}{{ ', ' if not loop.last }}{% endfor -%})
{%- endmacro %}


{#- A list of the given SQL expressions, in order. -#}
{% macro list_of(items) -%}
    {{ return(adapter.dispatch('list_of', 'eduplan')(items)) }}
{%- endmacro %}

{% macro default__list_of(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}

{% macro spark__list_of(items) -%}
    array({{ items | join(', ') }})
{%- endmacro %}


{#- An empty list of structs with the given (name, type) fields. -#}
{% macro empty_list_of_structs(fields) -%}
    {{ return(adapter.dispatch('empty_list_of_structs', 'eduplan')(fields)) }}
{%- endmacro %}

{% macro default__empty_list_of_structs(fields) -%}
    cast([] as struct({%- for name, type in fields %}"{{ name }}" {{ type }}{{ ', ' if not loop.last }}{% endfor -%})[])
{%- endmacro %}

{% macro spark__empty_list_of_structs(fields) -%}
    cast(array() as array<struct<{%- for name, type in fields %}`{{ name }}`: {{ type }}{{ ', ' if not loop.last }}{% endfor -%}>>)
{%- endmacro %}


{#- The list without its NULL elements. -#}
{% macro list_without_nulls(items) -%}
    {{ return(adapter.dispatch('list_without_nulls', 'eduplan')(items)) }}
{%- endmacro %}

{% macro default__list_without_nulls(items) -%}
    list_filter({{ items }}, lambda item: item is not null)
{%- endmacro %}

{% macro spark__list_without_nulls(items) -%}
    filter({{ items }}, item -> item is not null)
{%- endmacro %}


{#- The list with `item` added at its end. -#}
{% macro list_appended(items, item) -%}
    {{ return(adapter.dispatch('list_appended', 'eduplan')(items, item)) }}
{%- endmacro %}

{% macro default__list_appended(items, item) -%}
    list_append({{ items }}, {{ item }})
{%- endmacro %}

{% macro spark__list_appended(items, item) -%}
    array_append({{ items }}, {{ item }})
{%- endmacro %}


{#- The number of elements of a list. -#}
{% macro list_length(items) -%}
    {{ return(adapter.dispatch('list_length', 'eduplan')(items)) }}
{%- endmacro %}

{% macro default__list_length(items) -%}
    len({{ items }})
{%- endmacro %}

{% macro spark__list_length(items) -%}
    size({{ items }})
{%- endmacro %}


{#- One row per element of the list (in a select list). -#}
{% macro unnest_list(items) -%}
    {{ return(adapter.dispatch('unnest_list', 'eduplan')(items)) }}
{%- endmacro %}

{% macro default__unnest_list(items) -%}
    unnest({{ items }})
{%- endmacro %}

{% macro spark__unnest_list(items) -%}
    explode({{ items }})
{%- endmacro %}


{#- The field `name` of a struct value. -#}
{% macro struct_field(value, name) -%}
    {{ return(adapter.dispatch('struct_field', 'eduplan')(value, name)) }}
{%- endmacro %}

{% macro default__struct_field(value, name) -%}
    struct_extract({{ value }}, {{ quoted(name) }})
{%- endmacro %}

{% macro spark__struct_field(value, name) -%}
    {{ value }}.`{{ name }}`
{%- endmacro %}


{#- Every column of the relation `alias` but those named in `excluded`. -#}
{% macro star_except(alias, excluded) -%}
    {{ return(adapter.dispatch('star_except', 'eduplan')(alias, excluded)) }}
{%- endmacro %}

{% macro default__star_except(alias, excluded) -%}
    {{ alias }}.* exclude ({{ excluded | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(alias, excluded) -%}
    {{ alias }}.* except ({{ excluded | join(', ') }})
{%- endmacro %}


{#- Jaro-Winkler similarity of two strings, computed on characters (not bytes) on every engine:
    DuckDB's jaro_winkler_similarity compares UTF-8 bytes, so a Chinese character counts three
    times; each string is first rewritten with one ASCII byte per distinct character of the pair
    (its rank among them), which keeps every equality Jaro-Winkler looks at. Exact for pairs
    with up to 127 distinct characters (names have far fewer). -#}
{% macro name_similarity(left_text, right_text) -%}
    {{ return(adapter.dispatch('name_similarity', 'eduplan')(left_text, right_text)) }}
{%- endmacro %}

{% macro default__name_similarity(left_text, right_text) -%}
    {%- set alphabet -%}
        list_sort(list_distinct(string_split({{ left_text }} || {{ right_text }}, '')))
    {%- endset -%}
    {%- set encoded -%}
        array_to_string(list_transform(
            string_split(__TEXT__, ''), lambda ch: chr(list_position({{ alphabet }}, ch))
        ), '')
    {%- endset -%}
    jaro_winkler_similarity(
        {{ encoded.replace('__TEXT__', left_text) }}, {{ encoded.replace('__TEXT__', right_text) }}
    )
{%- endmacro %}

{#- Spark's (4.3+) works on characters but adds the prefix bonus to every score; Winkler's
    definition (and DuckDB's) adds it only when the Jaro score is above 0.7. Jaro is recovered
    from Spark's score (jw = jaro + prefix * 0.1 * (1 - jaro), prefix: common leading
    characters, at most 4) and the bonus kept only above 0.7. -#}
{% macro spark__name_similarity(left_text, right_text) -%}
    {%- set prefix -%}
        case
            {%- for i in range(1, 5) %}
            when substr({{ left_text }}, {{ i }}, 1) <> substr({{ right_text }}, {{ i }}, 1) then {{ i - 1 }}
            {%- endfor %}
            else 4
        end
    {%- endset -%}
    {%- set winkler = 'jaro_winkler_similarity(' ~ left_text ~ ', ' ~ right_text ~ ')' -%}
    {%- set jaro = '((' ~ winkler ~ ' - 0.1 * ' ~ prefix ~ ') / (1 - 0.1 * ' ~ prefix ~ '))' -%}
    case when {{ jaro }} > 0.7 then {{ winkler }} else {{ jaro }} end
{%- endmacro %}


{#- Seeds on Spark: dbt-spark's session connection renders an empty cell as the string 'None'
    and breaks on a quote; here every cell is a literal of its own (NULL, or the text quoted
    by `quoted`), cast to the column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            ({%- for value in row -%}
                cast({{ 'null' if value is none else quoted(value) }} as {{ types[loop.index0] }})
                {{- ', ' if not loop.last }}
            {%- endfor -%}){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{#- Run at the start of every dbt command (dbt_project.yml on-run-start). On DuckDB the raw
    tables are in the warehouse file: nothing to do. On Spark they are Parquet files
    (flows/load/raw_parquet.py): each is declared as an external table over its folder, from
    the var `raw_tables` (table -> location, columns, partition column), its partitions found
    on disk. Dropping such a table leaves its files. -#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'eduplan')()) }}
{%- endmacro %}

{% macro default__register_raw_tables() -%}
{%- endmacro %}

{% macro spark__register_raw_tables() -%}
    {%- if execute -%}
        {%- set tables = var('raw_tables', {}) -%}
        {%- if tables -%}{%- do run_query('create database if not exists raw') -%}{%- endif -%}
        {%- for table, spec in tables.items() -%}
            {%- set columns = [] -%}
            {%- for name, type in spec['columns'] -%}
                {%- do columns.append('`' ~ name ~ '` ' ~ type) -%}
            {%- endfor -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- set ddl -%}
                create table raw.{{ table }} ({{ columns | join(', ') }})
                using parquet
                {%- if spec['partitioned_by'] %} partitioned by ({{ spec['partitioned_by'] }}){% endif %}
                location {{ quoted(spec['location']) }}
            {%- endset -%}
            {%- do run_query(ddl) -%}
            {%- if spec['partitioned_by'] -%}
                {%- do run_query('alter table raw.' ~ table ~ ' recover partitions') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- Incremental by source file: how a night replaces the rows of the files it judged again.
    DuckDB deletes them by key and inserts (delete+insert on source_file); Spark, whose Parquet
    tables have no DELETE, keeps one partition per source file and overwrites the partitions
    tonight's rows fall in (insert_overwrite, dynamic). -#}
{% macro by_file_strategy() -%}
    {{ return(adapter.dispatch('by_file_strategy', 'eduplan')()) }}
{%- endmacro %}

{% macro default__by_file_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__by_file_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{% macro by_file_partitioning(column) -%}
    {{ return(adapter.dispatch('by_file_partitioning', 'eduplan')(column)) }}
{%- endmacro %}

{% macro default__by_file_partitioning(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__by_file_partitioning(column) -%}
    {{ return([column]) }}
{%- endmacro %}


{#- Incremental by figure (int_actual_figures_keyed and fct_indicator_actual, with the fact's
    state table and its tests on tonight's rows: macros/figures_taken.sql, macros/test_where.sql):
    DuckDB builds them incrementally (a delete by figure, then an insert). Spark's Parquet tables
    have no DELETE and a figure is no partition, so on Spark both are rebuilt whole every build
    (materialized table): no pre-hook delete, no state table, their tests check every row. -#}
{% macro by_figure_materialization() -%}
    {{ return(adapter.dispatch('by_figure_materialization', 'eduplan')()) }}
{%- endmacro %}

{% macro default__by_figure_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__by_figure_materialization() -%}
    {{ return('table') }}
{%- endmacro %}


{#- The pre-hook of a model kept by actuals file (int_actuals_judged, int_actual_names_counted):
    the rows of files the latest load found removed or rejected go. -#}
{% macro delete_gone_actuals_files() -%}
    {{ delete_source_files(
        this,
        'select source_file from ' ~ ref('int_actuals_files_latest')
        ~ " where status in ('removed', 'rejected')"
    ) }}
{%- endmacro %}

{#- Remove from `relation` the rows of the source files `files_query` selects (one column,
    source_file): a delete on DuckDB; on Spark each file's partition is dropped. -#}
{% macro delete_source_files(relation, files_query) -%}
    {{ return(adapter.dispatch('delete_source_files', 'eduplan')(relation, files_query)) }}
{%- endmacro %}

{% macro default__delete_source_files(relation, files_query) -%}
    delete from {{ relation }} where source_file in ({{ files_query }})
{%- endmacro %}

{% macro spark__delete_source_files(relation, files_query) -%}
    {%- if execute -%}
        {%- for row in run_query(files_query).rows -%}
            {%- do run_query(
                'alter table ' ~ relation ~ ' drop if exists partition (source_file = '
                ~ quoted(row[0]) ~ ')'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- Unit-test fixtures on Spark: a list or struct value is written as DuckDB's literal text
    ("[{'column': 'year', ...}]"); Spark reads it as JSON (single quotes allowed). -#}
{% macro spark__safe_cast(field, type) -%}
    {%- set spark_type = type | string | lower -%}
    {%- if field is string and (spark_type.startswith('array<') or spark_type.startswith('struct<')
        or spark_type.startswith('map<')) -%}
        from_json({{ field }}, {{ quoted(type) }})
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}


{#- Contracts on Spark: Parquet tables take no NOT NULL constraint (ALTER COLUMN ... SET NOT
    NULL is Delta's), so each not_null column of an enforced contract is checked on the built
    table, and a NULL fails the model as DuckDB's constraint would. -#}
{% macro spark__persist_constraints(relation, model) -%}
    {%- if config.get('contract').enforced -%}
        {%- set counts = [] -%}
        {%- for column_name, column in model.columns.items() -%}
            {%- for constraint in column.constraints if constraint.type == 'not_null' -%}
                {%- do counts.append(
                    'sum(case when `' ~ column_name ~ '` is null then 1 else 0 end) as `'
                    ~ column_name ~ '`'
                ) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if counts -%}
            {%- set result = run_query('select ' ~ counts | join(', ') ~ ' from ' ~ relation) -%}
            {%- for column_name in result.column_names -%}
                {%- if result.rows[0][loop.index0] -%}
                    {{ exceptions.raise_compiler_error(
                        'contract of ' ~ relation ~ ': column ' ~ column_name ~ ' has '
                        ~ result.rows[0][loop.index0] ~ ' NULL value(s) (constraint not_null)'
                    ) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

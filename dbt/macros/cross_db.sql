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

{#- Spark's (4.3+) works on characters -#}
{% macro spark__name_similarity(left_text, right_text) -%}
    jaro_winkler_similarity({{ left_text }}, {{ right_text }})
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

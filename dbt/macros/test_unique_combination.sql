{#- Generic test: the combination of `columns` is unique (dbt_utils.unique_combination_of_columns
    without the package). On DuckDB, candidates are first found on a 64-bit hash of the
    combination (one integer per row to group instead of several strings: a 10-million-row
    table stays far inside the memory limit), then checked on the columns themselves. -#}
{% test unique_combination_of_columns(model, columns) %}
    {%- if target.type == 'duckdb' %}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    where hash({{ columns | join(', ') }}) in (
        select hash({{ columns | join(', ') }})
        from {{ model }}
        group by all
        having count(*) > 1
    )
    group by {{ columns | join(', ') }}
    having count(*) > 1
    {%- else %}
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
    {%- endif %}
{% endtest %}

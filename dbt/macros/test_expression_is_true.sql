{#- Generic test: every row satisfies a boolean SQL expression (no dbt packages needed). -#}
{% test expression_is_true(model, expression) %}
    select * from {{ model }} where not coalesce(({{ expression }}), false)
{% endtest %}

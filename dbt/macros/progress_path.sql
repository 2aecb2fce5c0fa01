{#- The path from a baseline to a target (docs/progress_method.md), written once: compound
    growth when both ends are positive, else a straight line. mart_indicator_progress computes
    every growth and path value with these; flows/report/progress_path.py applies the same two
    formulas in Python (to the mart's columns) and tests/report/test_progress_path.py checks it
    against the mart. -#}

{% macro path_is_compound(from_value, to_value) -%}
    ({{ from_value }} > 0 and {{ to_value }} > 0)
{%- endmacro %}

{#- the yearly growth from from_value to to_value over `years`: a rate when compound, else a
    change per year -#}
{% macro path_growth(from_value, to_value, years, compound) -%}
    case
        when {{ compound }} then
            pow(cast({{ to_value }} as double) / cast({{ from_value }} as double),
                1.0 / {{ years }}) - 1
        else cast({{ to_value }} - {{ from_value }} as double) / {{ years }}
    end
{%- endmacro %}

{#- the value `years` after from_value on a path growing by `growth` a year -#}
{% macro path_value(from_value, growth, years, compound) -%}
    case
        when {{ compound }} then
            cast({{ from_value }} as double) * pow(1 + {{ growth }}, {{ years }})
        else cast({{ from_value }} as double) + {{ growth }} * ({{ years }})
    end
{%- endmacro %}

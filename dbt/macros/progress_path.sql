{#- The path from a baseline to a target (docs/progress_method.md), written once: compound
    growth when both ends are positive, else a straight line. mart_indicator_progress computes
    every growth and path value with these; flows/report/progress_path.py applies the same two
    formulas in Python (to the mart's columns) and tests/report/demo_night/test_progress_path.py checks it
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

{#- Whether the latest value meets the target: its comparator, or a bare number read as a level
    to reach (at least it; at most it when lower is better). -#}
{% macro meets_target(latest_value, comparator, target_value, polarity) -%}
    case
        when {{ target_value }} is null or {{ latest_value }} is null then null
        when {{ comparator }} = '>' then {{ latest_value }} > {{ target_value }}
        when {{ comparator }} = '>=' then {{ latest_value }} >= {{ target_value }}
        when {{ comparator }} = '<' then {{ latest_value }} < {{ target_value }}
        when {{ comparator }} = '<=' then {{ latest_value }} <= {{ target_value }}
        when {{ polarity }} = 'lower' then {{ latest_value }} <= {{ target_value }}
        else {{ latest_value }} >= {{ target_value }}
    end
{%- endmacro %}

{#- How far along its path a target has come: the growth observed over the growth required
    (none when the path asks for no growth). -#}
{% macro progress_ratio(observed_growth, required_growth) -%}
    case
        when {{ required_growth }} <> 0 then {{ observed_growth }} / {{ required_growth }}
    end
{%- endmacro %}

{#- Whether the path to the target asks for a move the way the polarity calls progress (else
    the target is a floor or ceiling to keep). -#}
{% macro requires_improvement(polarity, required_growth) -%}
    case
        when {{ polarity }} = 'lower' then {{ required_growth }} < 0
        else {{ required_growth }} > 0
    end
{%- endmacro %}

{#- Whether the latest value is worse than the baseline, the way the polarity reads it. -#}
{% macro worse_than_baseline(polarity, latest_value, baseline_value) -%}
    case
        when {{ polarity }} = 'lower' then {{ latest_value }} > {{ baseline_value }}
        else {{ latest_value }} < {{ baseline_value }}
    end
{%- endmacro %}

{#- The status of a level target (docs/progress_method.md), written once for the table targets
    (mart_indicator_progress) and the targets stated in prose (mart_commitment_progress): met ->
    achieved; its year reached -> not_achieved; no baseline -> no_data; nothing to improve ->
    deterioration or limited_progress by the baseline; else the share of the required growth
    observed: >= 0.95 on_track, >= 0.60 needs_acceleration, >= 0 limited_progress, below 0
    deterioration. -#}
{% macro level_status(target_value, latest_value, meets, latest_year, target_year,
                      baseline_value, requires_improvement, worse_than_baseline,
                      progress_ratio) -%}
    case
        when {{ target_value }} is null or {{ latest_value }} is null then 'no_data'
        when {{ meets }} then 'achieved'
        when {{ latest_year }} >= {{ target_year }} then 'not_achieved'
        when {{ baseline_value }} is null then 'no_data'
        when not {{ requires_improvement }} then
            case when {{ worse_than_baseline }} then 'deterioration' else 'limited_progress' end
        when {{ progress_ratio }} >= 0.95 then 'on_track'
        when {{ progress_ratio }} >= 0.60 then 'needs_acceleration'
        when {{ progress_ratio }} >= 0 then 'limited_progress'
        else 'deterioration'
    end
{%- endmacro %}

{#- How level_status judged: comparator, direction, or the growth ratio by its path. -#}
{% macro level_status_method(target_value, latest_value, meets, latest_year, target_year,
                             baseline_value, requires_improvement, uses_cagr) -%}
    case
        when {{ latest_value }} is null or {{ target_value }} is null then null
        when {{ meets }} or {{ latest_year }} >= {{ target_year }} then 'comparator'
        when {{ baseline_value }} is null then null
        when not {{ requires_improvement }} then 'direction'
        when {{ uses_cagr }} then 'cagr_ratio'
        else 'linear_ratio'
    end
{%- endmacro %}

{#- Which actual a progress measure prefers when several give the same year: a published figure,
    then a synthetic one (the demo), then a plan's own baseline cell (lower sorts first). -#}
{% macro source_kind_preference(source_kind) -%}
    case {{ source_kind }} when 'published' then 1 when 'synthetic' then 2 else 3 end
{%- endmacro %}

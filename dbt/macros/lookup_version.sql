{#- What int_actuals_judged's judgement of a row depends on besides the row itself: the seeds
    (regions, aliases, catalogue, conversions), the staging and intermediate models, the
    project's macros and the vars name_synonyms and vocabulary. Stored with every judged row;
    when it changes (an accepted alias, a new synonym rule, an upgraded model) every file is
    judged again, so an incremental table never keeps a verdict made under other rules. -#}
{% macro lookup_version() %}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name and (
            node.resource_type == 'seed'
            or (node.resource_type == 'model' and node.fqn[1] in ['staging', 'intermediate'])
        ) -%}
            {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for macro in (graph.get('macros') or {}).values() | sort(attribute='unique_id') -%}
        {%- if macro.package_name == project_name -%}
            {%- do parts.append(macro.unique_id ~ '=' ~ local_md5(macro.macro_sql)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do parts.append(tojson(var('name_synonyms')) ~ tojson(var('vocabulary'))) -%}
    {{- return(local_md5(parts | join('\n'))) -}}
{% endmacro %}

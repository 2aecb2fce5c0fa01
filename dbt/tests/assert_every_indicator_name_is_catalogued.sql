-- Reports (as a warning) every raw indicator name, from a plan or a published source, that no
-- alias maps to the catalogue: it still loads, as an indicator of its own (uncatalogued_<hash>).
-- Add an alias to seeds/indicator_aliases.csv when it is truly the same measure as one in
-- seeds/indicators.csv, or a catalogue row when it is a new measure.
{{ config(severity='warn') }}

select
    indicator_name_raw,
    indicator_code,
    is_in_plans,
    is_in_actuals

from {{ ref('int_indicator_names_resolved') }}
where not is_catalogued

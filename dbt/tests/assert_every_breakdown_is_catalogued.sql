-- Reports (as a warning) every breakdown label with no alias in seeds/breakdown_aliases.csv.
{{ config(severity='warn') }}

select breakdown_raw, breakdown_code
from {{ ref('int_breakdown_names_resolved') }}
where not is_catalogued

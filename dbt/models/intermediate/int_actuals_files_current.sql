-- One row per actuals file whose rows are in raw.actuals tonight, with the sha256 of the content
-- they came from: its latest load (skips aside) is `loaded`. A file whose latest load is
-- `rejected` or `removed` has no rows (the loader took them away) and is not here.

with

audit as (

    select * from {{ ref('stg_raw__actuals_load_audit') }}
    where status <> 'skipped'

),

latest as (

    select
        source_file,
        sha256,
        status

    from audit
    qualify row_number() over (partition by source_file order by loaded_at desc) = 1

)

select
    source_file,
    sha256

from latest
where status = 'loaded'

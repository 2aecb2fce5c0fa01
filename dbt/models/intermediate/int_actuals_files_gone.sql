-- One row per actuals file whose latest load (skips aside) took its rows away: removed from
-- raw/actuals, or rejected whole. int_actuals_judged deletes their rows.

with

audit as (

    select * from {{ ref('stg_raw__actuals_load_audit') }}
    where status <> 'skipped'

),

latest as (

    select
        source_file,
        status

    from audit
    qualify row_number() over (partition by source_file order by loaded_at desc) = 1

)

select source_file
from latest
where status in ('removed', 'rejected')

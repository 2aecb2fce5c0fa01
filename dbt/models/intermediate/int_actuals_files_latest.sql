-- One row per actuals file: its latest load outcome, skips aside (a skipped file keeps the rows
-- of its last load). `loaded`: its rows are in raw.actuals, from the content with this sha256;
-- `rejected` or `removed`: the loader took its rows away, and int_actuals_judged deletes them.
-- The one statement of the "latest load per actuals file" rule in dbt (mart_actuals_quarantine
-- reads the rejected ones from here).

with

audit as (

    select * from {{ ref('stg_raw__actuals_load_audit') }}
    where status <> 'skipped'

),

final as (

    select
        source_file,
        sha256,
        status,
        error_line,
        reason,
        detail

    from audit
    qualify row_number() over (partition by source_file order by loaded_at desc) = 1

)

select * from final

"""Which audit row of raw.actuals_load_audit speaks for an actuals file: the rule, written once
for the Python side (dbt's own is int_actuals_files_latest).

The loader audits every file it sees each night (loaded / skipped / rejected / removed;
docs/raw_schema.md). A file's latest audit row is its newest (`loaded_at`, then the row written
last); its latest load outcome is the newest row that is not `skipped` (a skipped file keeps
what its last load did). The loader compares a file's sha256 with its latest audit row; the raw
gate checks the files loaded tonight and each file's rows against its latest outcome; the build
digest hashes the latest outcomes.
"""

from __future__ import annotations

_NEWEST_PER_FILE = (
    "qualify row_number() over (partition by file order by loaded_at desc, rowid desc) = 1"
)

# one row per file: its newest audit row, whatever its status
LATEST_AUDIT = f"select * from raw.actuals_load_audit {_NEWEST_PER_FILE}"

# one row per file: its newest audit row that is not `skipped` (what the file holds now)
LATEST_OUTCOME = (
    f"select * from raw.actuals_load_audit where status <> 'skipped' {_NEWEST_PER_FILE}"
)

# the files tonight's load landed: their latest audit row says `loaded`
LOADED_TONIGHT = f"select file from ({LATEST_AUDIT}) as latest where status = 'loaded'"

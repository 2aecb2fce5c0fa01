"""Great Expectations plumbing for the gates (flows/validate.py): the DuckDB fix and the runner.
Nothing here imports great_expectations at module level (it takes seconds)."""

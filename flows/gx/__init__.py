"""Great Expectations plumbing for the gates (flows/validate.py): the DuckDB fix and the runner.
Nothing here imports great_expectations at module level (it takes seconds): only the gates do.
(Importing it early in a thread, beside Prefect's start-up, was measured: the raw gate fell by
~8 s and the start-up rose by ~5 s, within the noise of a shared machine, so it is not done.)"""

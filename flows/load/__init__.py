"""Rows -> the DuckDB `raw` schema of a warehouse being built (one writer, sequential)."""

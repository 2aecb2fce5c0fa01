"""The marts gate: the built marts, checked before publication, for what dbt's own tests do not
check (keys, not-null, relationships and accepted values are dbt tests in
dbt/models/marts/_marts__models.yml, and so is "every target has its progress row": unique +
relationships on mart_indicator_progress.target_id, dbt/tests/assert_every_target_cell_is_a_target):
values plausible for their unit, years plausible for the plans, and the share of plan indicator
names that map to the catalogue.

fct_indicator_actual is the one big mart (a row per actual figure: millions). Its row-local rule
(values plausible for their unit) runs on the rows tonight's build inserted, but on a full pass
(--full-refresh and weekly: the nights dbt's tests check every row, flows/transform.py
`full_tests_due`); the rule that reads other tables (years within the plans' span) runs on every
row every night, which the years' row-group bounds keep cheap."""

from __future__ import annotations

from suite_spec import ChangedRows, SuiteSpec, unexpected_rows

# Share of the distinct raw indicator names of plan targets and milestones that must map to a
# catalogue code (dim_indicator.is_catalogued). Names only seen in published actuals are not
# counted: a yearbook publishes many indicators no plan targets, and they join to nothing.
MAPPED_SHARE_MIN = 0.9
# Units whose values count or measure something: never negative. `%` and years are bounded too.
COUNT_UNITS = ["所", "个", "万个", "万人", "万人次", "人", "元", "万元", "亿元", "对", "班", "名"]
IMPLAUSIBLE = (
    "(unit = '%' AND NOT {v} BETWEEN 0 AND 150) "  # gross enrolment rates exceed 100
    "OR (unit = '年' AND NOT {v} BETWEEN 0 AND 30) "
    "OR (unit IN (" + ", ".join(f"'{u}'" for u in COUNT_UNITS) + ") AND {v} < 0)"
)
MARTS = "marts."
INTERMEDIATE = "intermediate."
# The rows of fct_indicator_actual tonight's build inserted: the plans' figures and the figures
# judged again since the fact last took them. dbt owns the rule (dbt/macros/figures_taken.sql
# `figures_taken_tonight`, which scopes the fact's own dbt tests the same way) and writes it as a
# view beside the fact (its post-hook); a night that is not a full pass checks only these rows
# for row-local rules: a kept row passed them the night it came.
TAKEN_TONIGHT = ChangedRows(
    f"SELECT * FROM {INTERMEDIATE}fct_indicator_actual__tonight "
    # these rows first, then the rule: else DuckDB pushes the rule's filter into the scan of
    # every row (the whole table's cost again); OFFSET 0 keeps it above
    "OFFSET 0",
    (f"{INTERMEDIATE}fct_indicator_actual__tonight",),
)


def mart_suites() -> list[SuiteSpec]:
    import great_expectations.expectations as E  # noqa: N812  (lazy: GX costs ~4.5 s)

    target_cols = "target_id, plan_id, region_code, indicator_code, breakdown, year, role"
    actual_cols = "region_code, indicator_code, breakdown, year, source_kind, source_ref"

    def targets() -> list:
        return [
            E.ExpectTableRowCountToBeBetween(min_value=1, description="there are plan targets"),
            E.ExpectColumnValuesToBeBetween(
                column="source_line", min_value=1, description="source_line is a 1-based line"
            ),
            unexpected_rows(
                "target values plausible for their unit",
                f"SELECT {target_cols}, unit, target_value, source_file, source_line "
                "FROM {batch} WHERE " + IMPLAUSIBLE.format(v="target_value"),
            ),
        ]

    def actuals() -> list:  # row by row: on tonight's changed rows, but on a full pass
        return [
            unexpected_rows(
                "actual values plausible for their unit",
                f"SELECT {actual_cols}, unit, value FROM {{batch}} WHERE "
                + IMPLAUSIBLE.format(v="value"),
            ),
        ]

    def actual_years() -> list:  # every row, every night: the plans' years can move the bounds
        return [
            unexpected_rows(
                "actual years within 15 years before the earliest plan table and the last plan "
                "year + 1",
                f"SELECT {actual_cols} FROM {{batch}} WHERE year NOT BETWEEN "
                f"(SELECT min(period_start_year) - 15 FROM {MARTS}dim_plan) AND "
                f"(SELECT max(period_end_year) + 1 FROM {MARTS}dim_plan)",
            ),
        ]

    def mapping() -> list:
        return [
            E.ExpectColumnValuesToBeNull(
                column="unmapped_name",
                mostly=MAPPED_SHARE_MIN,
                description=f"at least {MAPPED_SHARE_MIN:.0%} of raw indicator names map to "
                "a catalogue code",
            )
        ]

    return [
        SuiteSpec(
            "fct_indicator_target",
            f"SELECT * FROM {MARTS}fct_indicator_target",
            (f"{MARTS}fct_indicator_target",),
            targets,
        ),
        SuiteSpec(
            "fct_indicator_actual",
            f"SELECT * FROM {MARTS}fct_indicator_actual",
            (f"{MARTS}fct_indicator_actual",),
            actuals,
            changed_rows=TAKEN_TONIGHT,
        ),
        SuiteSpec(
            # cheap on the whole table: DuckDB skips the row groups by their year bounds
            "fct_indicator_actual_years",
            f"SELECT * FROM {MARTS}fct_indicator_actual",
            (f"{MARTS}fct_indicator_actual", f"{MARTS}dim_plan"),
            actual_years,
        ),
        SuiteSpec(
            "indicator_mapping",
            # one row per distinct raw indicator name in the marts; unmapped_name is the name
            # when it resolved to no catalogue code (dim_indicator.is_catalogued = false)
            "SELECT n.indicator_name_raw, CASE WHEN coalesce(d.is_catalogued, false) THEN NULL "
            "ELSE n.indicator_name_raw END AS unmapped_name FROM ("
            f"SELECT DISTINCT indicator_name_raw, indicator_code FROM {MARTS}fct_indicator_target"
            f") n LEFT JOIN {MARTS}dim_indicator d USING (indicator_code)",
            (f"{MARTS}fct_indicator_target", f"{MARTS}dim_indicator"),
            mapping,
        ),
    ]

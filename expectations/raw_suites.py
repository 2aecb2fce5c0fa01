"""The raw_inputs gate: the tables the flow landed, checked before dbt runs (what dbt cannot
check because it reads them: plan cells exactly extracted, documents and tables complete, actuals
landed one row per file and line). What the actuals mean is dbt's (int_actuals_checked).

The actuals are the one big raw table (millions of rows), and only the files loaded tonight
change it: their rows are checked (`actuals`, on changed rows), and the whole table only by a
cheap count per file against the load audit (`actuals_files`). The plan tables are small and
replaced whole each night: checked whole."""

from __future__ import annotations

import csv

from suite_spec import REPO, SuiteSpec, unexpected_rows

from flows import controlled_vocabulary as vocabulary
from flows.gx.results import CHANGED_ROWS
from flows.load.actuals_audit import LATEST_OUTCOME, LOADED_TONIGHT
from flows.load.raw_tables import column_names

REGIONS_SEED = REPO / "dbt" / "seeds" / "regions.csv"
# the vocabularies are declared once, in dbt/dbt_project.yml
COMPARATORS = vocabulary.codes("comparator")
ROLES = vocabulary.codes("role")

# Rows each file should have in raw.actuals: what its latest load outcome landed (rows_in when
# `loaded`; none when `rejected` or `removed`), beside the rows it has. The latest-audit rules
# (LATEST_OUTCOME, LOADED_TONIGHT) are flows/load/actuals_audit.py's.
ROWS_PER_FILE = (  # a query asset must start with SELECT: subqueries, not a WITH
    "SELECT coalesce(l.file, a.file) AS file, "
    "CASE WHEN l.status = 'loaded' THEN l.rows_in ELSE 0 END AS audited_rows, "
    "coalesce(a.landed_rows, 0) AS landed_rows "
    f"FROM ({LATEST_OUTCOME}) l "
    "FULL JOIN (SELECT file, count(*) AS landed_rows FROM raw.actuals GROUP BY file) a "
    "ON a.file = l.file"
)


def sql_list(values: list[str]) -> str:
    """Values as a SQL list inside an unexpected-rows query (quotes doubled; braces doubled
    because GX formats the query with {batch}). GX copies an expectation's kwargs many times
    per run, so a set of thousands of values as `value_set` costs seconds; as SQL text, none."""
    quoted = ("'" + v.replace("'", "''") + "'" for v in values)
    return ", ".join(quoted).replace("{", "{{").replace("}", "}}")


def _regions() -> tuple[list[str], list[str]]:
    with REGIONS_SEED.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return sorted({r["region_code"] for r in rows}), sorted({r["region_name_zh"] for r in rows})


def raw_suites() -> list[SuiteSpec]:
    import great_expectations.expectations as E  # noqa: N812  (lazy: GX costs ~4.5 s)

    codes, names = _regions()
    plan_region = vocabulary.words_of("region_scope", "plan_region")

    def cells() -> list:
        return [
            E.ExpectTableColumnsToMatchSet(
                # the declared columns, and the plan period its table states (the asset's join)
                column_set=[*column_names("plan_cells"), "table_start", "table_end"],
                exact_match=False,
                description="plan_cells has its declared columns (flows/load/raw_tables.py)",
            ),
            E.ExpectTableRowCountToBeBetween(min_value=1, description="plan_cells is not empty"),
            *[
                E.ExpectColumnValuesToNotBeNull(column=c, description=f"plan_cells.{c} is set")
                for c in (
                    "plan_id",
                    "source_file",
                    "indicator",
                    "year",
                    "role",
                    "raw_value",
                    "source_ref",  # a text cell's line, else its table/row/column or page/row
                )
            ],
            E.ExpectColumnValuesToBeInSet(
                column="role", value_set=ROLES, description="plan_cells.role is a valid role"
            ),
            E.ExpectColumnValuesToBeInSet(
                column="comparator",
                value_set=COMPARATORS,
                description="plan_cells.comparator is in the allowed set",
            ),
            E.ExpectColumnValuesToBeInSet(
                column="attribute",
                value_set=sorted(vocabulary.words("attribute")),
                description="plan_cells.attribute is a word of the attribute vocabulary",
            ),
            E.ExpectColumnValuesToBeInSet(
                column="evaluation",
                value_set=sorted(vocabulary.words("evaluation")),
                description="plan_cells.evaluation is a word of the evaluation vocabulary",
            ),
            E.ExpectColumnValuesToBeBetween(
                column="line", min_value=1, description="plan_cells.line is a 1-based line"
            ),
            unexpected_rows(  # GROUP BY, so cells without a breakdown (NULL) are compared too
                "one plan cell per table row, breakdown, year and role",
                "SELECT plan_id, table_no, row_order, breakdown, year, role, count(*) AS copies, "
                "min(source_file) AS source_file, min(line) AS line FROM {batch} "
                "GROUP BY plan_id, table_no, row_order, breakdown, year, role HAVING count(*) > 1",
            ),
            unexpected_rows(
                "every value cell parsed or explicitly non-numeric",
                "SELECT source_file, line, indicator, year, role, raw_value, comparator, value "
                "FROM {batch} WHERE "
                "(value IS NULL AND (comparator IS NOT NULL "
                "OR regexp_matches(raw_value, '[0-9０-９]') OR trim(raw_value) = '')) "
                "OR (value IS NOT NULL "
                "AND (comparator IS NULL OR try_cast(value AS DOUBLE) IS NULL))",
            ),
            unexpected_rows(
                "plan_cells.year inside or next to its table's plan period",
                "SELECT source_file, line, indicator, year, role, table_start, table_end "
                "FROM {batch} WHERE table_start IS NULL "
                "OR year NOT BETWEEN table_start - 1 AND table_end + 1",
            ),
        ]

    def documents() -> list:
        return [
            E.ExpectTableRowCountToBeBetween(min_value=1, description="plan_documents not empty"),
            E.ExpectColumnValuesToBeUnique(
                column="plan_id", description="plan_documents.plan_id is unique"
            ),
            *[
                E.ExpectColumnValuesToNotBeNull(column=c, description=f"plan_documents.{c} is set")
                for c in (
                    "plan_id",
                    "source_file",
                    "sha256",
                    "region_code",
                    "period_start_year",
                    "period_end_year",
                )
            ],
            unexpected_rows(  # a value set of 3,210 codes costs GX seconds per run: SQL instead
                "plan_documents.region_code is a known region (dbt/seeds/regions.csv)",
                "SELECT plan_id, source_file, region_code FROM {batch} "
                f"WHERE region_code IS NOT NULL AND region_code NOT IN ({sql_list(codes)})",
            ),
            unexpected_rows(  # GX has no regex for the duckdb dialect: the rule is written in SQL
                "plan_documents.sha256 is 64 hex digits",
                "SELECT plan_id, source_file, sha256 FROM {batch} "
                "WHERE NOT regexp_full_match(sha256, '[0-9a-f]{{64}}')",
            ),
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="period_end_year",
                column_B="period_start_year",
                or_equal=True,
                description="plan period ends after it starts",
            ),
        ]

    def tables() -> list:
        return [
            E.ExpectColumnValuesToBeInSet(
                column="kind",
                value_set=["indicators", "schedule"],
                description="plan_tables.kind is indicators or schedule",
            ),
            E.ExpectCompoundColumnsToBeUnique(
                column_list=["plan_id", "table_no"], description="one row per plan table"
            ),
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="last_line",
                column_B="header_line",
                or_equal=True,
                description="a table ends after its header",
            ),
        ]

    def milestones() -> list:
        return [
            *[
                E.ExpectColumnValuesToNotBeNull(column=c, description=f"plan_milestones.{c} set")
                for c in ("plan_id", "source_file", "program", "year", "region", "source_ref")
            ],
            unexpected_rows(
                "plan_milestones.region is a known region name or a word for the plan's own "
                "region (全市创建; vocabulary region_scope)",
                "SELECT source_file, line, program, year, region FROM {batch} "
                f"WHERE region IS NOT NULL AND region NOT IN ({sql_list([*names, *plan_region])})",
            ),
            unexpected_rows(
                "plan_milestones.year inside or next to the plan period",
                "SELECT source_file, line, program, year, region, plan_start, plan_end "
                "FROM {batch} WHERE plan_start IS NULL "
                "OR year NOT BETWEEN plan_start - 1 AND plan_end + 1",
            ),
        ]

    def actuals() -> list:
        # rows land as written; what they mean (and whether they are usable) is dbt's
        return [
            E.ExpectTableColumnsToMatchSet(
                column_set=column_names("actuals"),
                exact_match=True,
                description="actuals has the landed columns (docs/raw_schema.md)",
            ),
            *[
                E.ExpectColumnValuesToNotBeNull(column=c, description=f"actuals.{c} is set")
                for c in ("file", "line")
            ],
            E.ExpectColumnValuesToBeBetween(
                column="line", min_value=2, description="actuals.line is a data line (1 = header)"
            ),
            E.ExpectCompoundColumnsToBeUnique(
                column_list=["file", "line"], description="one row per file and line"
            ),
        ]

    def actuals_files() -> list:
        # whole table, cheaply: one row per file, so a row lost or landed twice in any file
        # (not only tonight's) shows as a count that differs from the load audit
        return [
            E.ExpectColumnValuesToBeUnique(column="file", description="one count per file"),
            E.ExpectColumnPairValuesToBeEqual(
                column_A="landed_rows",
                column_B="audited_rows",
                description="rows landed per actuals file equal the rows its last load counted",
            ),
        ]

    return [
        SuiteSpec(
            "plan_cells",
            "SELECT c.*, t.period_start_year AS table_start, t.period_end_year AS table_end "
            "FROM raw.plan_cells c LEFT JOIN raw.plan_tables t USING (plan_id, table_no)",
            ("raw.plan_cells", "raw.plan_tables"),
            cells,
        ),
        SuiteSpec(
            "plan_documents",
            "SELECT * FROM raw.plan_documents",
            ("raw.plan_documents",),
            documents,
        ),
        SuiteSpec("plan_tables", "SELECT * FROM raw.plan_tables", ("raw.plan_tables",), tables),
        SuiteSpec(
            "plan_milestones",
            "SELECT m.*, d.period_start_year AS plan_start, d.period_end_year AS plan_end "
            "FROM raw.plan_milestones m LEFT JOIN raw.plan_documents d USING (plan_id)",
            ("raw.plan_milestones", "raw.plan_documents"),
            milestones,
        ),
        SuiteSpec(
            "actuals",
            f"SELECT a.* FROM raw.actuals a SEMI JOIN ({LOADED_TONIGHT}) t USING (file)",
            ("raw.actuals", "raw.actuals_load_audit"),
            actuals,
            optional=True,
            scope=CHANGED_ROWS,
        ),
        SuiteSpec(
            "actuals_files",
            ROWS_PER_FILE,
            ("raw.actuals", "raw.actuals_load_audit"),
            actuals_files,
            optional=True,
        ),
    ]

"""Write the Great Expectations file context in this folder: the `warehouse` datasource, one query
asset per checked table, the suites and their validation definitions.

The committed JSON/YAML is what the gates read (flows/validate.py); this script is how it was
written and how to rewrite it after a change of rule (then review the diff and commit it):

    .venv/bin/python expectations/define.py

Each suite is named `<gate>.<table>` and validates the query asset of the same name. Its `meta`
lists the tables it reads (`requires`) and whether their absence skips it (`optional`) instead of
failing the gate. The datasource's connection string is `${EDUPLAN_GX_URL}`, filled in by
flows/validate.py for each run, so the committed config never names a file.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REGIONS_SEED = REPO / "dbt" / "seeds" / "regions.csv"

# Share of the distinct raw indicator names of plan targets and milestones that must map to a
# catalogue code (dim_indicator.is_catalogued). Names only seen in published actuals are not
# counted: a yearbook publishes many indicators no plan targets, and they join to nothing.
MAPPED_SHARE_MIN = 0.9
COMPARATORS = ["=", ">", ">=", "<", "<="]
ROLES = ["baseline", "milestone", "target"]
# Cells that are explicitly not a number: a placeholder, or words with no digit in them
# (`逐年只增不减`). A cell with a digit and no parsed value is a parse failure.
PLACEHOLDERS = ["-", "—", "－", "--", "/", "／"]
# The plan's own evaluation words: the extractor's vocabulary (one owner), read as data.
EVALUATION_WORDS = list(
    tomllib.loads((REPO / "flows" / "extract" / "vocabulary.toml").read_text(encoding="utf-8"))[
        "cells"
    ]["evaluations"]
)
STATUSES = [
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deterioration",
    "no_data",
    "not_achieved",
]


@dataclass(frozen=True)
class SuiteSpec:
    name: str  # the table checked, e.g. `plan_cells`
    query: str  # the query asset: the table, joined to what a rule needs
    requires: tuple[str, ...]
    build: Callable[[], list] = field(repr=False)
    optional: bool = False


def _regions() -> tuple[list[str], list[str]]:
    with REGIONS_SEED.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return sorted({r["region_code"] for r in rows}), sorted({r["region_name_zh"] for r in rows})


def _rows(description: str, query: str):  # noqa: ANN202
    import great_expectations as gx

    return gx.expectations.UnexpectedRowsExpectation(
        description=description, unexpected_rows_query=query
    )


def raw_suites() -> list[SuiteSpec]:
    import great_expectations.expectations as E  # noqa: N812

    codes, names = _regions()

    def cells() -> list:
        return [
            E.ExpectTableColumnsToMatchSet(
                column_set=[
                    "plan_id",
                    "doc",
                    "source_file",
                    "table_no",
                    "row_order",
                    "category",
                    "indicator",
                    "breakdown",
                    "unit",
                    "year",
                    "role",
                    "raw_value",
                    "comparator",
                    "value",
                    "attribute",
                    "evaluation",
                    "line",
                    "source_ref",
                    "table_start",
                    "table_end",
                ],
                exact_match=False,
                description="plan_cells has its required columns",
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
                    "source_ref",
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
                value_set=["预期性", "约束性"],
                description="plan_cells.attribute is 预期性 or 约束性",
            ),
            E.ExpectColumnValuesToBeInSet(
                column="evaluation",
                value_set=EVALUATION_WORDS,
                description="plan_cells.evaluation is an evaluation word of "
                "flows/extract/vocabulary.toml",
            ),
            E.ExpectColumnValuesToBeBetween(
                column="line", min_value=1, description="plan_cells.line is a 1-based line"
            ),
            _rows(  # GROUP BY, so cells without a breakdown (NULL) are compared too
                "one plan cell per table row, breakdown, year and role",
                "SELECT plan_id, table_no, row_order, breakdown, year, role, count(*) AS copies, "
                "min(source_file) AS source_file, min(line) AS line FROM {batch} "
                "GROUP BY plan_id, table_no, row_order, breakdown, year, role HAVING count(*) > 1",
            ),
            _rows(
                "every value cell parsed or explicitly non-numeric",
                "SELECT source_file, line, indicator, year, role, raw_value, comparator, value "
                "FROM {batch} WHERE "
                "(value IS NULL AND (comparator IS NOT NULL OR regexp_matches(raw_value, '[0-9０-９]')"
                " OR trim(raw_value) = '')) "
                "OR (value IS NOT NULL AND (comparator IS NULL OR try_cast(value AS DOUBLE) IS NULL))",
            ),
            _rows(
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
            E.ExpectColumnValuesToBeInSet(
                column="region_code",
                value_set=codes,
                description="plan_documents.region_code is a known region (dbt/seeds/regions.csv)",
            ),
            _rows(  # GX has no regex for the duckdb dialect: the rule is written in SQL
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
            E.ExpectColumnValuesToBeInSet(
                column="region",
                value_set=[*names, "全市创建"],
                description="plan_milestones.region is a known region name or 全市创建",
            ),
            _rows(
                "plan_milestones.year inside or next to the plan period",
                "SELECT source_file, line, program, year, region, plan_start, plan_end FROM {batch} "
                "WHERE plan_start IS NULL OR year NOT BETWEEN plan_start - 1 AND plan_end + 1",
            ),
        ]

    def actuals() -> list:
        return [
            E.ExpectTableColumnsToMatchSet(
                column_set=[
                    "file",
                    "line",
                    "region",
                    "region_code",
                    "indicator",
                    "breakdown",
                    "year",
                    "value",
                    "value_text",
                    "unit",
                    "source_url",
                    "source_title",
                    "source_kind",
                ],
                exact_match=False,
                description="actuals has its required columns",
            ),
            *[
                E.ExpectColumnValuesToNotBeNull(column=c, description=f"actuals.{c} is set")
                for c in ("file", "line", "region_code", "indicator", "year", "source_kind")
            ],
            E.ExpectColumnValuesToBeInSet(
                column="source_kind",
                value_set=["published", "synthetic"],
                description="actuals.source_kind is published or synthetic",
            ),
            _rows(
                "every actual has a value or an explicit value_text",
                "SELECT file, line, indicator, year, value, value_text FROM {batch} "
                "WHERE value IS NULL AND nullif(trim(value_text), '') IS NULL",
            ),
            _rows(
                "actuals.year within 15 years before the earliest plan table and the last plan year + 1",
                "SELECT file, line, indicator, year FROM {batch} WHERE year NOT BETWEEN "
                "(SELECT min(period_start_year) - 15 FROM raw.plan_tables) AND "
                "(SELECT max(period_end_year) + 1 FROM raw.plan_documents)",
            ),
        ]

    def actual_regions() -> list:
        return [
            E.ExpectColumnValuesToBeInSet(
                column="region_code",
                value_set=codes,
                description="actuals.region_code is a known region (dbt/seeds/regions.csv)",
            )
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
            "SELECT * FROM raw.actuals",
            ("raw.actuals", "raw.plan_documents", "raw.plan_tables"),
            actuals,
            optional=True,
        ),
        SuiteSpec(
            # one row per distinct code: a 3,210-value IN over a million rows takes GX 12 s
            "actuals_regions",
            "SELECT region_code, count(*) AS n_rows, min(file) AS file, min(line) AS first_line "
            "FROM raw.actuals GROUP BY region_code",
            ("raw.actuals",),
            actual_regions,
            optional=True,
        ),
    ]


# Units whose values count or measure something: never negative. `%` and years are bounded too.
COUNT_UNITS = ["所", "个", "万个", "万人", "万人次", "人", "元", "万元", "亿元", "对", "班", "名"]
IMPLAUSIBLE = (
    "(unit = '%' AND NOT {v} BETWEEN 0 AND 150) "  # gross enrolment rates exceed 100
    "OR (unit = '年' AND NOT {v} BETWEEN 0 AND 30) "
    "OR (unit IN (" + ", ".join(f"'{u}'" for u in COUNT_UNITS) + ") AND {v} < 0)"
)


DIMENSION_KEYS = [
    ("dim_region", "region_code"),
    ("dim_indicator", "indicator_code"),
    ("dim_plan", "plan_id"),
    ("dim_breakdown", "breakdown_code"),
]


def _not_null(table: str, columns: tuple[str, ...]) -> list:
    import great_expectations.expectations as E  # noqa: N812

    return [
        E.ExpectColumnValuesToNotBeNull(column=c, description=f"{table}.{c} is set")
        for c in columns
    ]


def _key(table: str, column: str) -> list:
    import great_expectations.expectations as E  # noqa: N812

    return [
        E.ExpectColumnValuesToNotBeNull(column=column, description=f"{table}.{column} is set"),
        E.ExpectColumnValuesToBeUnique(column=column, description=f"{table}.{column} is unique"),
    ]


def _joined(table: str, column: str, dimension: str, key: str, shown: str) -> object:
    """Every fact row finds its dimension row. ({batch} is already an aliased subquery.)"""
    return _rows(
        f"{table}.{column} found in {dimension}",
        f"SELECT {shown} FROM {{batch}} WHERE {column} IS NOT NULL AND {column} NOT IN "
        f"(SELECT {key} FROM marts.{dimension} WHERE {key} IS NOT NULL)",
    )


def mart_suites() -> list[SuiteSpec]:
    import great_expectations.expectations as E  # noqa: N812

    target_cols = "target_id, plan_id, region_code, indicator_code, breakdown, year, role"

    def targets() -> list:
        return [
            E.ExpectTableRowCountToBeBetween(min_value=1, description="there are plan targets"),
            *_key("fct_indicator_target", "target_id"),
            *_not_null(
                "fct_indicator_target",
                ("plan_id", "region_code", "indicator_code", "breakdown", "year", "role"),
            ),
            _rows(
                "one target per plan, indicator, breakdown, year and role",
                "SELECT plan_id, indicator_code, breakdown, year, role, count(*) AS copies, "
                "min(source_file) AS source_file, min(source_line) AS source_line FROM {batch} "
                "GROUP BY plan_id, indicator_code, breakdown, year, role HAVING count(*) > 1",
            ),
            E.ExpectColumnValuesToNotBeNull(
                column="source_file", description="every target carries its source file"
            ),
            E.ExpectColumnValuesToNotBeNull(
                column="source_line", description="every target carries its source line"
            ),
            E.ExpectColumnValuesToBeBetween(
                column="source_line", min_value=1, description="source_line is a 1-based line"
            ),
            E.ExpectColumnValuesToBeInSet(
                column="role",
                value_set=["milestone", "target"],
                description="fct_indicator_target.role is milestone or target",
            ),
            E.ExpectColumnValuesToBeInSet(
                column="comparator",
                value_set=COMPARATORS,
                description="fct_indicator_target.comparator is in the allowed set",
            ),
            _joined("fct_indicator_target", "plan_id", "dim_plan", "plan_id", target_cols),
            _joined(
                "fct_indicator_target", "region_code", "dim_region", "region_code", target_cols
            ),
            _joined(
                "fct_indicator_target",
                "indicator_code",
                "dim_indicator",
                "indicator_code",
                target_cols,
            ),
            _joined(
                "fct_indicator_target", "breakdown", "dim_breakdown", "breakdown_code", target_cols
            ),
            _rows(
                "target values plausible for their unit",
                f"SELECT {target_cols}, unit, target_value, source_file, source_line "
                "FROM {batch} WHERE " + IMPLAUSIBLE.format(v="target_value"),
            ),
        ]

    actual_cols = "region_code, indicator_code, breakdown, year, source_kind, source_ref"

    def actuals() -> list:
        return [
            *_not_null(
                "fct_indicator_actual",
                ("region_code", "indicator_code", "breakdown", "year", "source_kind", "source_ref"),
            ),
            E.ExpectColumnValuesToBeInSet(
                column="source_kind",
                value_set=["published", "synthetic", "plan_baseline"],
                description="fct_indicator_actual.source_kind is published, synthetic or "
                "plan_baseline",
            ),
            _joined(
                "fct_indicator_actual", "region_code", "dim_region", "region_code", actual_cols
            ),
            _joined(
                "fct_indicator_actual",
                "indicator_code",
                "dim_indicator",
                "indicator_code",
                actual_cols,
            ),
            _rows(
                "actual values plausible for their unit",
                f"SELECT {actual_cols}, unit, value FROM {{batch}} WHERE "
                + IMPLAUSIBLE.format(v="value"),
            ),
        ]

    def progress() -> list:
        return [
            *_key("mart_indicator_progress", "target_id"),
            E.ExpectColumnValuesToNotBeNull(
                column="status", description="every target has a progress status"
            ),
            E.ExpectColumnValuesToBeInSet(
                column="status",
                value_set=STATUSES,
                description="mart_indicator_progress.status is an allowed status",
            ),
            *_not_null("mart_indicator_progress", ("source_file", "source_line")),
            _rows(
                "every target has its progress row",
                "SELECT t.target_id, t.source_file, t.source_line "
                "FROM marts.fct_indicator_target t ANTI JOIN {batch} p USING (target_id)",
            ),
        ]

    def milestones() -> list:
        return [
            *_not_null(
                "fct_milestone",
                ("plan_id", "program", "region_code", "year", "source_file", "source_line"),
            ),
            _joined(
                "fct_milestone",
                "region_code",
                "dim_region",
                "region_code",
                "plan_id, program, region_code, year, source_file, source_line",
            ),
            _joined(
                "fct_milestone",
                "plan_id",
                "dim_plan",
                "plan_id",
                "plan_id, program, region_code, year, source_file, source_line",
            ),
        ]

    def dimensions() -> list:
        return [
            E.ExpectColumnValuesToNotBeNull(column="key", description="dimension keys are set"),
            _rows(
                "dimension keys are unique",
                "SELECT dimension, key, count(*) AS copies FROM {batch} "
                "GROUP BY dimension, key HAVING count(*) > 1",
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

    marts = "marts."
    return [
        SuiteSpec(
            "fct_indicator_target",
            f"SELECT * FROM {marts}fct_indicator_target",
            (
                f"{marts}fct_indicator_target",
                f"{marts}dim_plan",
                f"{marts}dim_region",
                f"{marts}dim_indicator",
                f"{marts}dim_breakdown",
            ),
            targets,
        ),
        SuiteSpec(
            "fct_indicator_actual",
            f"SELECT * FROM {marts}fct_indicator_actual",
            (f"{marts}fct_indicator_actual", f"{marts}dim_region", f"{marts}dim_indicator"),
            actuals,
        ),
        SuiteSpec(
            "mart_indicator_progress",
            f"SELECT * FROM {marts}mart_indicator_progress",
            (f"{marts}mart_indicator_progress", f"{marts}fct_indicator_target"),
            progress,
        ),
        SuiteSpec(
            "fct_milestone",
            f"SELECT * FROM {marts}fct_milestone",
            (f"{marts}fct_milestone", f"{marts}dim_region", f"{marts}dim_plan"),
            milestones,
        ),
        SuiteSpec(
            "dimensions",
            # one row per dimension row: which dimension, and its key
            " UNION ALL ".join(
                f"SELECT '{dim}' AS dimension, {key} AS key FROM {marts}{dim}"
                for dim, key in DIMENSION_KEYS
            ),
            tuple(f"{marts}{dim}" for dim, _ in DIMENSION_KEYS),
            dimensions,
        ),
        SuiteSpec(
            "indicator_mapping",
            # one row per distinct raw indicator name in the marts; unmapped_name is the name
            # when it resolved to no catalogue code (dim_indicator.is_catalogued = false)
            "SELECT n.indicator_name_raw, CASE WHEN coalesce(d.is_catalogued, false) THEN NULL "
            "ELSE n.indicator_name_raw END AS unmapped_name FROM ("
            f"SELECT DISTINCT indicator_name_raw, indicator_code FROM {marts}fct_indicator_target"
            f") n LEFT JOIN {marts}dim_indicator d USING (indicator_code)",
            (f"{marts}fct_indicator_target", f"{marts}dim_indicator"),
            mapping,
        ),
    ]


def write(context_root: Path = HERE) -> None:
    """Rewrite the datasource, suites and validation definitions of the context in context_root."""
    sys.path.insert(0, str(REPO))
    import great_expectations as gx

    from flows.gx.engine import URL_VARIABLE

    scratch = Path(tempfile.mkdtemp()) / "empty.duckdb"  # only for GX's connection test
    duckdb.connect(str(scratch)).close()
    os.environ[URL_VARIABLE] = f"duckdb:///{scratch}"
    for sub in ("expectations", "validation_definitions", "checkpoints"):
        shutil.rmtree(context_root / sub, ignore_errors=True)
    (context_root / "great_expectations.yml").unlink(missing_ok=True)
    context = gx.get_context(mode="file", context_root_dir=context_root)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.variables.save()
    source = context.data_sources.add_sql(
        "warehouse",
        connection_string="${" + URL_VARIABLE + "}",
        kwargs={"connect_args": {"read_only": True}},
    )
    for gate, specs in (("raw_inputs", raw_suites()), ("marts", mart_suites())):
        for spec in specs:
            name = f"{gate}.{spec.name}"
            asset = source.add_query_asset(name, query=spec.query)
            batch = asset.add_batch_definition_whole_table("whole")
            suite = gx.ExpectationSuite(
                name=name, meta={"requires": list(spec.requires), "optional": spec.optional}
            )
            for expectation in spec.build():
                suite.add_expectation(expectation)
            suite = context.suites.add(suite)
            context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            print(f"{name}: {len(suite.expectations)} expectations")


if __name__ == "__main__":
    write()

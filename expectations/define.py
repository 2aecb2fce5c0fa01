"""Write the Great Expectations file context in this folder: the `warehouse` datasource, one query
asset per checked table, the suites and their validation definitions.

The committed JSON/YAML is what the gates read (flows/validate.py); this script is how it was
written and how to rewrite it after a change of rule (then review the diff and commit it):

    .venv/bin/python expectations/define.py

Each suite is named `<gate>.<table>` and validates the query asset of the same name. Its `meta`
lists the tables it reads (`requires`) and whether their absence skips it (`optional`) instead of
failing the gate; a suite a night may run on tonight's changed rows only has their query there
(`changed_rows`: flows/gx/runner.py runs it in place of the asset's, which reads the whole table).
The datasource's connection string is `${EDUPLAN_GX_URL}`, filled in by
flows/validate.py for each run, so the committed config never names a file. Likewise the
validation results and Data Docs stores write under `${EDUPLAN_GX_STATE}` (the warehouse's
run-state folder, `Settings.gx_dir`), never into this folder: the checkout holds only what is
committed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
from mart_suites import mart_suites
from raw_suites import raw_suites
from suite_spec import HERE, REPO


def write(context_root: Path = HERE) -> None:
    """Rewrite the datasource, suites and validation definitions of the context in context_root."""
    sys.path.insert(0, str(REPO))
    # lazy: flows/ is importable only once REPO is on the path; great_expectations costs ~4.5 s
    import great_expectations as gx

    from flows.gx.engine import STATE_VARIABLE, URL_VARIABLE
    from flows.warehouse.layout import GX_DATA_DOCS, GX_VALIDATIONS

    scratch = Path(tempfile.mkdtemp()) / "empty.duckdb"  # only for GX's connection test
    duckdb.connect(str(scratch)).close()
    os.environ[URL_VARIABLE] = f"duckdb:///{scratch}"
    for sub in ("expectations", "validation_definitions", "checkpoints"):
        shutil.rmtree(context_root / sub, ignore_errors=True)
    (context_root / "great_expectations.yml").unlink(missing_ok=True)
    context = gx.get_context(mode="file", context_root_dir=context_root)
    from great_expectations.data_context.types.base import ProgressBarsConfig  # lazy: GX, ~4.5 s

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
                name=name,
                meta={
                    "requires": list(spec.requires),
                    "optional": spec.optional,
                    "scope": spec.scope,
                    **(
                        {
                            "changed_rows": {
                                "query": spec.changed_rows.query,
                                "requires": list(spec.changed_rows.requires),
                            }
                        }
                        if spec.changed_rows
                        else {}
                    ),  # fmt: skip
                },
            )
            for expectation in spec.build():
                suite.add_expectation(expectation)
            suite = context.suites.add(suite)
            context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
            print(f"{name}: {len(suite.expectations)} expectations ({spec.scope})")
    state = "${" + STATE_VARIABLE + "}"
    stores = context.variables.stores
    stores["validation_results_store"]["store_backend"]["base_directory"] = (
        f"{state}/{GX_VALIDATIONS.as_posix()}/"
    )
    context.variables.stores = stores
    sites = context.variables.data_docs_sites
    sites["local_site"]["store_backend"]["base_directory"] = f"{state}/{GX_DATA_DOCS.as_posix()}/"
    context.variables.data_docs_sites = sites
    context.variables.save()
    shutil.rmtree(context_root / "uncommitted", ignore_errors=True)  # GX's scaffold: unused
    # GX creates checkpoints/ whenever it opens the context: committed (empty), so that a gate
    # run writes nothing into the checkout
    (context_root / "checkpoints").mkdir(exist_ok=True)
    (context_root / "checkpoints" / ".gitkeep").touch()


if __name__ == "__main__":
    write()

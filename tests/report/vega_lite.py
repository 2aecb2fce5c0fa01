"""The Vega-Lite schema the report's chart specifications are checked against in the tests
(the night does not check them: flows/report/charts.py)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema

from flows.report.charts import VEGA_LITE_SCHEMA


@cache
def vega_lite_validator() -> jsonschema.protocols.Validator:
    """A validator of the specifications' Vega-Lite version, from the schema Altair ships."""
    import altair

    version = VEGA_LITE_SCHEMA.rsplit("/v", 1)[1].removesuffix(".json")
    assert altair.SCHEMA_VERSION == f"v{version}", "Altair ships the schema of this version"
    schema = Path(altair.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    loaded = json.loads(schema.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(loaded)(loaded)

"""The committed Great Expectations context is what expectations/*.py generate: regenerating the
suites (expectations/define.py) into a temporary folder gives the same files, the same JSON and
YAML, but for the ids GX generates afresh each time. A rule changed in raw_suites.py or
mart_suites.py without rewriting the suites (or a committed suite edited by hand) fails here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO_ROOT

CONTEXT = REPO_ROOT / "expectations"
GENERATED_IDS = {"id", "data_context_id"}  # new uuids on every write


def without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in GENERATED_IDS}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def context_files(root: Path) -> dict[str, Any]:
    """The context's files (relative path -> parsed content), without the generated store id."""
    files: dict[str, Any] = {}
    written = [root / "great_expectations.yml", *root.glob("expectations/*/*.json"),
               *root.glob("validation_definitions/*.json")]  # fmt: skip
    for path in sorted(written):
        relative = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            files[relative] = without_ids(json.loads(text))
        elif path.suffix in (".yml", ".yaml"):
            files[relative] = without_ids(yaml.safe_load(text))
        else:
            files[relative] = text
    return files


def test_regenerated_suites_equal_the_committed_ones(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "import define; define.write(Path(sys.argv[2]))"
    )
    process = subprocess.run(
        [sys.executable, "-c", script, str(CONTEXT), str(tmp_path)],
        cwd=CONTEXT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    committed, regenerated = context_files(CONTEXT), context_files(tmp_path)
    assert sorted(regenerated) == sorted(committed)
    for name, content in committed.items():
        assert regenerated[name] == content, f"{name} differs from what expectations/ generates"

"""After the swap a failure is a warning about the clean-up, not a failed night: when the
published folder cannot be synced, publish() still returns the published file, with one warning
that says so (flows/warehouse/publish.py `_swap_in`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.warehouse import publish as publish_module
from flows.warehouse.publish import publish


def test_a_folder_that_cannot_be_synced_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, warehouse = tmp_path / "build" / "b.duckdb", tmp_path / "wh" / "warehouse.duckdb"
    build.parent.mkdir()
    duckdb.connect(str(build)).close()
    real = publish_module._fsync_dir

    def fsync_dir(path: Path) -> None:
        if path == warehouse.parent:
            raise OSError(5, "Input/output error")
        real(path)

    monkeypatch.setattr(publish_module, "_fsync_dir", fsync_dir)
    done = publish(build, warehouse)
    assert done.warehouse == warehouse.resolve() and warehouse.exists()
    assert done.warnings == (
        "published, but the folder could not be synced ([Errno 5] Input/output error)",
    )

"""Input files are hashed only when their identity on disk changed (flows/load/file_hashes.py):
an unchanged 10-million-row file is not read again, a rewritten one always is, even when its size
and modification time were put back; the loader and the night's check share the hashes."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import duckdb
import pytest

from flows.load import file_hashes
from flows.load.actuals import load_actuals
from flows.load.file_hashes import RACY_SECONDS, FileHashes
from tests.conftest import REPO_ROOT


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file whose bytes are hashed."""
    read: list[Path] = []
    real = file_hashes.file_sha256

    def counting(path: Path) -> str:
        read.append(Path(path))
        return real(path)

    monkeypatch.setattr(file_hashes, "file_sha256", counting)
    return read


def _settled(path: Path, text: str) -> Path:
    """A file written, then left alone past the racy window (its ctime is in the past)."""
    path.write_text(text, encoding="utf-8")
    time.sleep(RACY_SECONDS + 0.1)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, reads: list[Path]) -> None:
    path = _settled(tmp_path / "a.csv", "region,year\n")
    hashes = FileHashes()
    assert hashes.sha256(path) == _sha(path)
    assert hashes.sha256(path) == _sha(path)
    assert reads == [path]
    with duckdb.connect() as con:  # remembered across nights, in the warehouse
        hashes.write(con)
        again = FileHashes.read(con)
    assert again.sha256(path) == _sha(path) and reads == [path]
    again.verify = True  # the weekly full pass reads every file afresh
    assert again.sha256(path) == _sha(path) and reads == [path, path]


def test_a_rewritten_file_is_read_again_even_with_its_size_and_mtime_put_back(
    tmp_path: Path, reads: list[Path]
) -> None:
    path = _settled(tmp_path / "a.csv", "region,year\n")
    hashes = FileHashes()
    hashes.sha256(path)
    before = path.stat()
    path.write_text("REGION,YEAR\n", encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # `touch -d`, `cp -p`, rsync -t
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert hashes.sha256(path) == _sha(path) != hashlib.sha256(b"region,year\n").hexdigest()
    assert len(reads) == 2


def test_a_file_changed_a_moment_ago_is_not_remembered(tmp_path: Path, reads: list[Path]) -> None:
    """Racy: a write in the same clock tick as the hash would leave every time unchanged."""
    path = tmp_path / "a.csv"
    path.write_text("region,year\n", encoding="utf-8")
    hashes = FileHashes()
    hashes.sha256(path)
    hashes.sha256(path)
    assert len(reads) == 2 and str(path.resolve()) not in hashes.known


def test_the_loader_reads_an_unchanged_file_only_to_load_it(
    tmp_path: Path, reads: list[Path]
) -> None:
    folder = tmp_path / "actuals"
    folder.mkdir()
    source = REPO_ROOT / "raw" / "actuals" / "published_actuals.csv"
    path = _settled(folder / source.name, source.read_text(encoding="utf-8"))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = load_actuals(con, folder)
        assert (first.files_loaded, len(reads)) == (1, 1)
        second = load_actuals(con, folder)  # the hash the first load remembered, no read
        assert (second.files_loaded, second.files_skipped, len(reads)) == (0, 1, 1)
        path.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        third = load_actuals(con, folder)
        assert (third.files_loaded, len(reads)) == (1, 2)


def test_a_loaded_file_is_hashed_once_and_audited_with_the_bytes_it_had(
    tmp_path: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract's pass takes the hash the loader already has (the file is read for its
    checks, not hashed twice); a file changed since it was hashed is hashed again with them,
    and its audit keeps the hash of the bytes landed."""
    from flows.load import actuals
    from flows.load.actuals_contract import inspect_file

    folder = tmp_path / "actuals"
    folder.mkdir()
    source = REPO_ROOT / "raw" / "actuals" / "published_actuals.csv"
    path = _settled(folder / source.name, source.read_text(encoding="utf-8"))
    hashed: list[bool] = []

    def counted(file: Path, shown: str, *, sha256: str | None = None) -> object:
        hashed.append(sha256 is None)
        return inspect_file(file, shown, sha256=sha256)

    monkeypatch.setattr(actuals, "inspect_file", counted)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert load_actuals(con, folder).files_loaded == 1
        assert (len(reads), hashed) == (1, [False]), "hashed twice"

        text = source.read_text(encoding="utf-8")
        path.write_text(text + "\n", encoding="utf-8")  # changed since its last load

        def changed_while_read(file: Path, shown: str, *, sha256: str | None = None) -> object:
            if sha256 is not None:  # the bytes change after the loader hashed them
                file.write_text(text + "\n\n", encoding="utf-8")
            return counted(file, shown, sha256=sha256)

        monkeypatch.setattr(actuals, "inspect_file", changed_while_read)
        assert load_actuals(con, folder).files_loaded == 1
        [(audited,)] = con.execute(
            "select sha256 from raw.actuals_load_audit where status = 'loaded' "
            "order by loaded_at desc limit 1"
        ).fetchall()
    assert audited == _sha(path), "audited with the hash of bytes it no longer has"

"""The input contract of raw/actuals/*.csv (docs/actuals_contract.md), checked at file level:
encoding, header and required columns. A file that fails here is rejected whole, never half."""

from __future__ import annotations

import codecs
import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flows.errors import InputFileError

REQUIRED_COLUMNS = ("region", "indicator", "year", "value", "unit", "source_url", "source_title")
CONTRACT_COLUMNS = REQUIRED_COLUMNS[:2] + ("breakdown",) + REQUIRED_COLUMNS[2:] + ("source_kind",)

_BOM = codecs.BOM_UTF8
_CHUNK = 1 << 20
# A record of actuals is a few hundred bytes; a line beyond this is refused before any reader
# holds it in memory (a 200 MB one-line file would otherwise cost its size, or more).
MAX_LINE_BYTES = 16 * 10**6


class ActualsContractError(InputFileError):
    """An actuals file that cannot be read at all: names the file, the line and what was wrong.
    `reason` is the quarantine reason recorded for it (e.g. `encoding_gbk`, `missing_column`)."""

    def __init__(
        self, file: str, line: int | None, message: str, *, reason: str, column: str | None = None
    ) -> None:
        super().__init__(file, line, message)
        self.reason = reason
        self.column = column


@dataclass(frozen=True)
class FileInfo:
    """What one streaming pass over a file learned: its hash, size, header and line count."""

    sha256: str
    physical_lines: int  # lines including the header; a last line without newline counts
    header: tuple[str, ...]  # normalised column names (trimmed, lower case, BOM removed)
    header_text: str

    @property
    def data_lines(self) -> int:
        return max(self.physical_lines - 1, 0)

    def position(self, column: str) -> int | None:
        return self.header.index(column) if column in self.header else None


class _KnownDigest:
    """A digest whose value is known: what inspect_file updates when it need not hash."""

    def __init__(self, value: str) -> None:
        self.value = value

    def update(self, _: bytes) -> None:
        return None

    def hexdigest(self) -> str:
        return self.value


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _line_of_offset(path: Path, offset: int) -> int:
    """The line holding byte `offset`, counted in chunks (memory stays flat)."""
    lines = 1
    with path.open("rb") as fh:
        while offset > 0 and (chunk := fh.read(min(_CHUNK, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def _encoding_error(path: Path, shown: str, offset: int) -> ActualsContractError:
    """Say whether undecodable bytes look like GBK (common in Chinese government data) or
    UTF-16 (what some spreadsheets save as "Unicode text")."""
    line = _line_of_offset(path, offset)
    with path.open("rb") as fh:
        sample = fh.read(1 << 22)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ActualsContractError(
            shown,
            1,
            "file is UTF-16-encoded, not UTF-8; re-save it as UTF-8 "
            "(e.g. `iconv -f UTF-16 -t UTF-8`)",
            reason="not_utf8",
        )
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return ActualsContractError(
            shown,
            line,
            "file is GBK/GB18030-encoded, not UTF-8; re-save it as UTF-8 "
            "(e.g. `iconv -f GB18030 -t UTF-8`)",
            reason="encoding_gbk",
        )
    return ActualsContractError(
        shown, line, f"not UTF-8 text (undecodable byte at offset {offset})", reason="not_utf8"
    )


def _long_line(shown: str, line: int, path: Path) -> ActualsContractError:
    size = path.stat().st_size
    return ActualsContractError(
        shown,
        line,
        f"a line longer than {MAX_LINE_BYTES // 10**6} MB (the file is {size / 1e6:.0f} MB): "
        "no actuals record is that long; not a CSV of actuals",
        reason="not_csv",
    )


def inspect_file(path: Path, shown: str, *, sha256: str | None = None) -> FileInfo:
    """Hash the file, check it is UTF-8 (BOM optional) and has the contract's header, in one
    streaming pass. Raises ActualsContractError for a file that must be rejected whole.
    `sha256`: the file's hash, known already (the caller checks the file did not change while
    this pass read it): not computed again."""
    digest = _KnownDigest(sha256) if sha256 is not None else hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    offset = 0
    first = b""
    last_byte = b""
    encoding_error: int | None = None
    run = 0  # bytes of the line still open at the end of the last chunk
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            first_newline = chunk.find(b"\n")
            run += len(chunk) if first_newline < 0 else first_newline
            if run > MAX_LINE_BYTES:  # (lines inside one chunk are shorter than the limit)
                raise _long_line(shown, newlines + 1, path)
            if first_newline >= 0:
                run = len(chunk) - chunk.rfind(b"\n") - 1
            newlines += chunk.count(b"\n")
            if len(first) < 65536:
                first += chunk[: 65536 - len(first)]
            if encoding_error is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    encoding_error = offset + exc.start
            last_byte = chunk[-1:]
            offset += len(chunk)
    if encoding_error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            encoding_error = offset - len(exc.object) + exc.start
    if offset == 0:
        raise ActualsContractError(shown, None, "empty file (no header)", reason="empty_file")
    if encoding_error is not None:
        raise _encoding_error(path, shown, encoding_error)
    if b"\x00" in first:
        raise ActualsContractError(shown, 1, "NUL bytes: not a CSV text file", reason="not_csv")
    physical = newlines + (0 if last_byte == b"\n" else 1)
    header_text = (
        first.removeprefix(_BOM).split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    )
    header = _parse_header(header_text, shown)
    return FileInfo(digest.hexdigest(), physical, header, header_text)


def _parse_header(text: str, shown: str) -> tuple[str, ...]:
    if not text.strip():
        raise ActualsContractError(
            shown, 1, "first line is empty; expected a header", reason="not_csv"
        )
    names = tuple(n.strip().lower() for n in next(csv.reader([text])))
    # a spreadsheet's export leaves empty header cells after the last column (`,,,`): they name
    # nothing and are ignored (their fields are read and dropped), not taken for a duplicate
    named = len(names)
    while named and not names[named - 1]:
        named -= 1
    seen: set[str] = set()
    for name in names[:named]:
        if name in seen:
            raise ActualsContractError(
                shown,
                1,
                f"column {name!r} appears twice in the header",
                reason="not_csv",
                column=name,
            )
        seen.add(name)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise ActualsContractError(
            shown,
            1,
            f"missing required column(s) {', '.join(missing)}; header is {text!r}; expected "
            f"{','.join(CONTRACT_COLUMNS)} (breakdown and source_kind optional)",
            reason="missing_column",
            column=missing[0],
        )
    return names

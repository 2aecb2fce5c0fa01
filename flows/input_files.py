"""Which files under raw/ may be read: regular files that lie inside their input folder.

raw/ is read-only input that anyone with write access to it can change; a symlink there must
not make a night read (and publish) a file from elsewhere on the machine, such as /etc/passwd,
and a FIFO or device named `.csv` must not hang a night. Both are refused by name with a clear
error before a single byte is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flows.errors import InputFileError


def checked_input(path: Path, folder: Path) -> Path:
    """`path` with its symlinks resolved; InputFileError when it leads outside `folder` or is
    not a regular file."""
    resolved = Path(path).resolve()
    home = Path(folder).resolve()
    if not resolved.is_relative_to(home):
        raise InputFileError(
            str(path),
            None,
            f"a link leading outside {home} (to {resolved}): input files must lie inside "
            "their raw/ folder; refused",
        )
    try:
        mode = resolved.stat().st_mode
    except OSError as error:
        raise InputFileError(str(path), None, f"cannot be read: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        raise InputFileError(str(path), None, "not a regular file (a folder, FIFO or device)")
    return resolved


def shown_name(path: Path, folder: Path) -> str:
    """A path under `folder` as it can be printed and stored: bytes that are not UTF-8 (a name
    left by unzip from a GBK zip) shown as `\\xNN` escapes."""
    relative = Path(path).relative_to(folder).as_posix()
    raw = relative.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "backslashreplace")


def _utf8_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Listing:
    """An input folder as a night reads it: the files to read (suffix matched in any case), the
    files refused by name (shown name, why, and whether the `name` or the `suffix` is why), and
    notes on what is not read (subfolders)."""

    files: list[Path] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def list_inputs(
    folder: Path, suffixes: Iterable[str], *, refuse: dict[str, str] | None = None
) -> Listing:
    """The files of `folder` a night reads: those whose suffix, in any case, is in `suffixes`.
    A file named with bytes that are not UTF-8, or with a suffix in `refuse` (suffix -> why),
    is refused by name; a subfolder is noted as not read. Other files are not inputs."""
    wanted = {s.lower() for s in suffixes}
    refuse = {k.lower(): v for k, v in (refuse or {}).items()}
    listing = Listing()
    if not Path(folder).is_dir():
        return listing
    for path in sorted(Path(folder).iterdir(), key=lambda p: os.fsencode(p.name)):
        suffix = path.suffix.lower()
        shown = shown_name(path, folder)
        if path.is_dir() and not path.is_symlink():
            listing.notes.append(
                f"{folder}/{shown}/: a subfolder is not read (inputs must lie directly in "
                f"{folder}); move its files up to have them loaded"
            )
        elif suffix not in wanted and suffix not in refuse:
            continue
        elif not _utf8_name(path.name):
            listing.refused.append((
                shown,
                "the file name is not valid UTF-8 (bytes shown escaped; a zip made on a "
                "Chinese-language Windows leaves GBK names): rename it; refused, not read",
                "name",
            ))  # fmt: skip
        elif suffix in refuse:
            listing.refused.append((shown, refuse[suffix], "suffix"))
        else:
            listing.files.append(path)
    return listing

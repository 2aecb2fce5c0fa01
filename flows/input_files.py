"""Which files under raw/ may be read: regular files that lie inside their input folder.

raw/ is read-only input that anyone with write access to it can change; a symlink there must
not make a night read (and publish) a file from elsewhere on the machine, such as /etc/passwd,
and a FIFO or device named `.csv` must not hang a night. Both are refused by name with a clear
error before a single byte is read.
"""

from __future__ import annotations

import stat
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

"""Errors about input files that a user can act on: the file, the line, and what was wrong."""

from __future__ import annotations


class InputFileError(ValueError):
    """Bad input, printed as `file:line: message` (just `file: message` when no line applies)."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")

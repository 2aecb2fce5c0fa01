"""The one rule for reading a plan document's text: UTF-8, with or without a BOM; anything else
(UTF-16, GBK) is refused with the file, the line and how to convert it. Every reader of plan text
(the text layouts, hand-keyed cells, CSV plan tables, `--explain`) reads through it."""

from __future__ import annotations

import codecs
from pathlib import Path

from flows.extract.models import PlanTableError


def read_text(path: Path) -> str:
    """A document's text: UTF-8 (with or without BOM); anything else is a clear error."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PlanTableError(
            str(path), 1, "UTF-16 text, not UTF-8 (convert with: iconv -f UTF-16 -t UTF-8)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PlanTableError(
            str(path), line, "not UTF-8 text (GBK? convert with: iconv -f GBK -t UTF-8)"
        ) from None

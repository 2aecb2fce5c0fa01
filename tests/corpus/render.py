"""Rewrite the seed tables in other text layouts, with the cells each rendering must give.

A seed table is rebuilt from today's exact extraction of the seed (raw/plans): one clean row per
extracted table row (category, indicator, breakdown, unit, one value per year column, attribute,
evaluation). Each layout writes that table differently (pipes, spaces, one cell per line,
section rows instead of a category column, wrapped names, a split with the header repeated, two
tables with prose between, other header words from the vocabulary, shuffled columns); the
expected cells are the seed's: indicator, breakdown, year, role, comparator and value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from flows.extract import ExtractedDocument, PlanCell

Key = tuple[str, str | None, int, str, str | None, str | None]


def cell_key(c: PlanCell) -> Key:
    return (c.indicator, c.breakdown, c.year, c.role, c.comparator, c.value)


@dataclass(frozen=True)
class Table:
    """A seed indicator table as clean rows: every row as wide as the header."""

    title: str
    period: tuple[int, int]
    years: list[tuple[int, str]]  # (year, role) per year column, in order
    rows: list[dict[str, object]]  # category, indicator, breakdown, unit, values, attr, eval
    has_evaluation: bool
    expected: list[Key]


def seed_tables(doc: ExtractedDocument) -> list[Table]:
    tables: list[Table] = []
    for info in doc.tables:
        cells = [c for c in doc.cells if c.table == info.table]
        if info.kind != "indicators" or not cells:
            continue
        years: list[tuple[int, str]] = []
        for c in cells:
            if (c.year, c.role) not in years:
                years.append((c.year, c.role))
        years.sort(key=lambda yr: (yr[0], ["baseline", "milestone", "target"].index(yr[1])))
        rows: dict[int, dict[str, object]] = {}
        for c in cells:
            row = rows.setdefault(
                c.row_order,
                {
                    "category": c.category or "",
                    "indicator": c.indicator,
                    "breakdown": c.breakdown or "",
                    "unit": c.unit or "",
                    "values": [""] * len(years),
                    "attribute": c.attribute or "",
                    "evaluation": c.evaluation or "",
                },
            )
            row["values"][years.index((c.year, c.role))] = c.raw_value  # type: ignore[index]
        period = (info.period_start_year or 2021, info.period_end_year or 2025)
        tables.append(
            Table(
                title=f"表{info.table} 主要指标（{period[0]}—{period[1]}年）",
                period=period,
                years=years,
                rows=[rows[k] for k in sorted(rows)],
                has_evaluation=any(c.evaluation for c in cells),
                expected=sorted(cell_key(c) for c in cells),
            )
        )
    return tables


# ----------------------------------------------------------------------------- header words
PLAIN = {"category": "类别", "indicator": "指标", "breakdown": "分项", "unit": "单位",
         "attribute": "指标属性", "evaluation": "评价"}  # fmt: skip
SYNONYMS = {"category": "领域", "indicator": "指标名称", "breakdown": "学段", "unit": "计量单位",
            "attribute": "性质", "evaluation": "完成情况"}  # fmt: skip


def year_header(year: int, role: str, *, synonyms: bool) -> str:
    if not synonyms:
        return {"baseline": f"{year}年基数", "target": f"{year}年目标"}.get(role, f"{year}年")
    return {"baseline": f"基期值（{year}年）", "target": f"目标值（{year}年）"}.get(
        role, f"{year}年"
    )


def matrix(
    table: Table,
    *,
    synonyms: bool = False,
    category_column: bool = True,
    carry: bool = True,
    order: list[str] | None = None,
) -> list[list[str]]:
    """Header + rows as text; `carry` leaves repeated category / indicator cells empty."""
    keys = ["category", "indicator", "breakdown", "unit", "years", "attribute"]
    if table.has_evaluation:
        keys.append("evaluation")
    if not category_column or not any(row["category"] for row in table.rows):
        keys.remove("category")
    keys = order or keys
    words = SYNONYMS if synonyms else PLAIN
    header: list[str] = []
    for key in keys:
        if key == "years":
            header += [year_header(y, r, synonyms=synonyms) for y, r in table.years]
        else:
            header.append(words[key])
    out = [header]
    previous: dict[str, object] = {}
    for row in table.rows:
        line: list[str] = []
        for key in keys:
            if key == "years":
                line += list(row["values"])  # type: ignore[arg-type]
                continue
            text = str(row[key])
            same = previous.get(key) == row[key] and (
                key == "category" or previous.get("category") == row["category"]
            )
            if carry and key in ("category", "indicator") and same:
                text = ""
            line.append(text)
        out.append(line)
        previous = row
    return out


# ----------------------------------------------------------------------------- layouts
def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def tabbed(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in rows)


def pipe(rows: list[list[str]], *, rule: bool = True) -> str:
    lines = ["| " + " | ".join(r) + " |" for r in rows]
    if rule:
        lines.insert(1, "|" + "|".join("---" for _ in rows[0]) + "|")
    return "\n".join(lines)


def spaced(rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(t + " " * (w - _width(t)) for t, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    )


def stacked(rows: list[list[str]], *, tab: bool, blank: bool) -> str:
    prefix = "\t" if tab else ""
    blocks = ["\n".join(prefix + t for t in r) for r in rows]
    return ("\n\n" if blank else "\n").join(blocks)


def wrapped(rows: list[list[str]], column: int, at: int = 8) -> str:
    """A pipe table whose long labels in `column` go on over a second line."""
    out: list[list[str]] = [rows[0]]
    for r in rows[1:]:
        text = r[column]
        cut = text.find("（")
        if len(text) > at and (column > 0 or cut > 0):
            cut = at if column > 0 or cut < 0 else cut
            out.append([*r[:column], text[:cut], *r[column + 1 :]])
            out.append(["" if i != column else text[cut:] for i in range(len(r))])
        else:
            out.append(r)
    return pipe(out)


def sections(table: Table, synonyms: bool = False) -> list[list[str]]:
    """No category column: a numbered section row wherever the category changes."""
    rows = matrix(table, category_column=False, synonyms=synonyms)
    out = [rows[0]]
    numerals = "一二三四五六七八九十"
    current = None
    n = 0
    for clean, row in zip(table.rows, rows[1:], strict=True):
        if clean["category"] != current:
            current = clean["category"]
            if current:
                out.append([f"{numerals[n]}、{current}"] + [""] * (len(row) - 1))
                n += 1
            row = [str(clean["indicator"]), *row[1:]]
        out.append(row)
    return out


def document(table: Table, body: str) -> str:
    return f"某地教育发展规划\n\n{table.title}\n{body}\n\n以上指标由教育局负责监测。\n"


LAYOUTS: dict[str, Callable[[Table], str]] = {
    "tabbed": lambda t: document(t, tabbed(matrix(t))),
    "pipe-rule": lambda t: document(t, pipe(matrix(t))),
    "pipe-no-rule": lambda t: document(t, pipe(matrix(t), rule=False)),
    "spaces": lambda t: document(t, spaced(matrix(t))),
    "stacked-tab-blank": lambda t: document(t, stacked(matrix(t), tab=True, blank=True)),
    "stacked-tab": lambda t: document(t, stacked(matrix(t), tab=True, blank=False)),
    "stacked-plain": lambda t: document(t, stacked(matrix(t), tab=False, blank=False)),
    "wrapped": lambda t: document(t, wrapped(matrix(t), column=1)),
    "section-rows": lambda t: document(t, pipe(sections(t))),
    "synonyms": lambda t: document(t, pipe(matrix(t, synonyms=True))),
    "full-labels": lambda t: document(t, tabbed(matrix(t, carry=False))),
    "split-repeated-header": lambda t: _split(t),
    "two-tables-with-prose": lambda t: _two_tables(t),
    "shuffled-columns": lambda t: _shuffled(t),
    "spaces-section-rows": lambda t: document(t, spaced(sections(t))),
    "tabbed-section-rows": lambda t: document(t, tabbed(sections(t))),
    "stacked-plain-section-rows": lambda t: document(
        t, stacked(sections(t), tab=False, blank=False)
    ),
    "stacked-tab-blank-section-rows": lambda t: document(
        t, stacked(sections(t), tab=True, blank=True)
    ),
    "spaces-synonyms": lambda t: document(t, spaced(matrix(t, synonyms=True))),
    "wrapped-first-column": lambda t: document(
        t, wrapped(matrix(t, category_column=False), column=0)
    ),
    "pipe-synonyms-section-rows": lambda t: document(t, pipe(sections(t, synonyms=True))),
}


def _split(table: Table) -> str:
    rows = matrix(table)
    half = max(2, len(rows) // 2)
    first, second = rows[:half], [rows[0], *rows[half:]]
    return document(table, pipe(first) + "\n\n（续表）\n\n" + pipe(second))


def _two_tables(table: Table) -> str:
    other = (
        "表0 “十二五”回顾（2011—2015年）\n| 指标 | 2010年 | 2015年 |\n|---|---|---|\n"
        "| 某项回顾指标（%） | 80 | 90 |\n\n“十二五”期间，全市教育事业取得长足进步。\n\n"
    )
    text = document(table, pipe(matrix(table)))
    head, _, rest = text.partition("\n\n")
    return f"{head}\n\n{other}{rest}"


def _shuffled(table: Table) -> str:
    keys = ["attribute", "unit", "category", "indicator", "breakdown", "years"]
    if table.has_evaluation:
        keys.insert(1, "evaluation")
    if not any(row["category"] for row in table.rows):
        keys.remove("category")
    return document(table, pipe(matrix(table, order=keys, carry=False)))


# ----------------------------------------------------------------------------- merged grids
def merged_grid(table: Table, *, table_no: int = 1) -> list[list[str]]:
    """The table as a web page or Word document draws it: a two-row header (`规划指标` spanning
    the year columns), category and indicator cells merged down over their rows. `^` marks a
    cell covered by the one above, `<` by the one to the left
    (tests/extract/test_extract_semantic.py turns these into GridCells with `merged_from`)."""
    rows = matrix(table, carry=False)
    header = rows[0]
    years = len(table.years)
    first_year = next(i for i, h in enumerate(header) if h.endswith(("年", "基数", "目标")))
    top = [*header[:first_year], "规划指标", *["<"] * (years - 1), *header[first_year + years :]]
    second = ["^"] * len(header)
    second[first_year : first_year + years] = header[first_year : first_year + years]
    out = [top, second]
    labels = [i for i, h in enumerate(header) if h in (PLAIN["category"], PLAIN["indicator"])]
    for r, row in enumerate(rows[1:]):
        line = list(row)
        previous = rows[r] if r else None
        for i in labels:
            same_above = previous is not None and all(previous[j] == row[j] for j in range(i + 1))
            if same_above and row[i]:
                line[i] = "^"
        out.append(line)
    return out

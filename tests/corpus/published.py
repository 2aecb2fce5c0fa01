"""The seed tables as grids, and how a publisher lays each one out with merged cells.

`seed_grids` is the one place the corpus takes the seeds' tables from: today it reads them with
the text extractor's table finder; point it at the text layout reader when that exists.

`publish` shapes a seed grid the way tables appear in web pages, Word and PDF, by rules a person
would follow when typesetting it, never per seed:
* the table is rectangular: a row one cell short (no breakdown) has its indicator label span the
  breakdown column; the header label above the two spans them too (`主要目标` over two columns);
  an empty header or row cell right of that label is the same horizontal merge;
* a label left empty under the row above it (the category in the first column, the indicator
  over its breakdown rows) is a vertical merge with the label above, never across a page break.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flows.extract import read_grids, read_text
from flows.extract.formats.text import read_text_layout
from flows.extract.grid import Grid


def seed_grids(path: Path) -> list[Grid]:
    """Every table of a seed plan (.txt) as the text layout reader finds it (the grids the
    semantic layer reads as an indicator table or milestone schedule): header row first."""
    laid_out = read_text_layout(path.name, read_text(path))
    return [found.grid for found in read_grids(laid_out, None)]


@dataclass
class Published:
    """A seed grid as published: rectangular texts, and which slots a merge covers.

    `texts[r][c]` is what the document prints in slot (r, c): covered slots are empty.
    `origin[(r, c)]` is the merge's first slot for every covered slot; `inserted` are the slots
    added to make a short row rectangular (they are not in the seed grid).
    """

    source: Grid
    texts: list[list[str]]
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    inserted: set[tuple[int, int]] = field(default_factory=set)

    @property
    def width(self) -> int:
        return len(self.texts[0])

    def span(self, r: int, c: int) -> tuple[int, int]:
        """(rowspan, colspan) of the merge starting at (r, c); (1, 1) for a plain cell."""
        mine = [slot for slot, first in self.origin.items() if first == (r, c)]
        rows = max((s[0] for s in mine), default=r) - r + 1
        columns = max((s[1] for s in mine), default=c) - c + 1
        return rows, columns

    def effective(self) -> list[list[str]]:
        """What a reader should give back, merges undone: a covered slot reads as its origin."""
        effective = []
        for r, row in enumerate(self.texts):
            line = []
            for c in range(len(row)):
                first_row, first_column = self.origin.get((r, c), (r, c))
                line.append(self.texts[first_row][first_column])
            effective.append(line)
        return effective

    def unpublished(self) -> list[list[str]]:
        """The seed grid back: covered slots empty, inserted slots removed."""
        return [
            [text for c, text in enumerate(row) if (r, c) not in self.inserted]
            for r, row in enumerate(self.texts)
        ]


def _span_column(rows: list[list[str]], width: int) -> int | None:
    """The column whose label spans the next one in short rows: the longest cell of most."""
    short = [row for row in rows[1:] if len(row) == width - 1]
    if short:
        longest = Counter(max(range(len(row)), key=lambda i: len(row[i])) for row in short)
        return longest.most_common(1)[0][0]
    header = rows[0]
    for i in range(len(header) - 1):
        if header[i] and not header[i + 1]:
            return i
    return None


def publish(grid: Grid, *, page_breaks: frozenset[int] = frozenset()) -> Published:
    """Lay a seed grid out with merged cells; `page_breaks` are row indices that start a page
    (vertical merges restart there, as a typesetter repeats nothing across a break)."""
    rows = [[cell.text for cell in row] for row in grid.rows]
    width = max(len(row) for row in rows)
    column = _span_column(rows, width)
    published = Published(source=grid, texts=[])
    for r, row in enumerate(rows):
        if len(row) == width - 1 and column is not None:
            row = row[: column + 1] + [""] + row[column + 1 :]
            published.inserted.add((r, column + 1))
        published.texts.append(row + [""] * (width - len(row)))
    texts, origin = published.texts, published.origin
    if column is not None:
        for r, row in enumerate(texts):
            if row[column] and not row[column + 1]:
                origin[(r, column + 1)] = (r, column)
    label_columns = [0] + ([column] if column not in (None, 0) else [])
    for c in label_columns:
        for r in range(2, len(texts)):
            if texts[r][c] or (r, c) in origin or r in page_breaks:
                continue
            above = origin.get((r - 1, c), (r - 1, c))
            if above[0] == 0 or above[1] != c or not texts[above[0]][c]:
                continue
            if (above[0], c + 1) in origin:  # the label above spans columns already
                continue
            origin[(r, c)] = above
    return published

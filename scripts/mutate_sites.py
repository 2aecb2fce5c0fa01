"""The mutants of one file, for scripts/mutate.py: each a single small change a wrong edit could
make, at every site where it changes the code.

Python: a comparator flipped (`>=` -> `>`, `==` -> `!=`...), `+`/`-` swapped, `and`/`or` swapped,
`not` dropped, `True`/`False` and `is None`/`is not None` swapped, a number moved by one (last
digit of a decimal: 0.95 -> 0.96) and a bare call statement removed (`_fsync_dir(...)` ->
`pass`). SQL: comparators, `and`/`or`, `desc`/`asc`, `true`/`false`, `not` and `is [not] null`,
numbers. Left alone, because a change there shows nothing or only breaks everything: strings,
comments, docstrings, f-strings, Jinja, SQL join keys (`on a.x = b.x`), decorator arguments (a
cache size) and flags of file and process calls (`exist_ok=True`, `check=False`: _QUIET_KEYWORDS).
An equivalent mutant found elsewhere goes in scripts/mutate_equivalent.toml, with the reason.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mutant:
    """One change to a file: the line before and after, and the whole mutated text."""

    path: str  # relative to the repo
    line: int  # 1-based
    before: str
    after: str
    text: str = field(repr=False, compare=False)

    def describe(self) -> str:
        return f"{self.path}:{self.line}\n    - {self.before.strip()}\n    + {self.after.strip()}"


def mutants(path: str, source: str, *, lines: tuple[int, int] | None = None) -> list[Mutant]:
    """Every mutant of `source` (the text of `path`), optionally only in `lines` (inclusive)."""
    python = path.endswith(".py")
    text_lines = source.splitlines(keepends=True)
    sites = _python_sites(source) if python else _sql_sites(source)
    docstring_lines = _docstring_lines(source) if python else set()
    found: list[Mutant] = []
    seen: set[tuple[int, str]] = set()
    for row, col, end, replacement in sites:
        if row in docstring_lines:
            continue
        if lines and not lines[0] <= row <= lines[1]:
            continue
        before = text_lines[row - 1]
        after = before[:col] + replacement + before[end:]
        if after == before or (row, after) in seen:
            continue
        seen.add((row, after))
        text = "".join(text_lines[: row - 1]) + after + "".join(text_lines[row:])
        if python and not _compiles(text):
            continue
        found.append(Mutant(path, row, before.rstrip("\n"), after.rstrip("\n"), text))
    return found


# ---------------------------------------------------------------- Python

_PY_OPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "+": "-", "-": "+"}
_PY_NAMES = {"and": "or", "or": "and", "True": "False", "False": "True"}
# keyword arguments whose flip says nothing about what a user sees (or only crashes)
_QUIET_KEYWORDS = {
    "exist_ok",
    "parents",
    "missing_ok",
    "frozen",
    "strict",
    "flush",
    "capture_output",
    "text",
    "check",
    "keepends",
    "read_only",
}


def _bump(number: str) -> str | None:
    """A number moved by one unit of its last digit (0.95 -> 0.96, 7 -> 8, 0 -> 1)."""
    if not re.fullmatch(r"\d+(\.\d+)?", number):
        return None
    if "." in number:
        whole, frac = number.split(".")
        scaled = int(whole + frac) + 1
        digits = str(scaled).rjust(len(whole + frac), "0")
        return digits[: -len(frac)] + "." + digits[-len(frac) :]
    return str(int(number) + 1)


def _python_sites(source: str) -> Iterator[tuple[int, int, int, str]]:
    """(line, start col, end col, replacement) for every mutation site of a Python source."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    fstring_depth = 0
    depth = 0  # bracket depth: a call statement is a line that is one whole call
    for i, tok in enumerate(tokens):
        kind, text, (row, col), (erow, ecol), line = tok
        if kind == getattr(tokenize, "FSTRING_START", -1):
            fstring_depth += 1
        elif kind == getattr(tokenize, "FSTRING_END", -1):
            fstring_depth -= 1
        if fstring_depth:
            continue
        if kind == tokenize.OP and text in "([{":
            depth += 1
        elif kind == tokenize.OP and text in ")]}":
            depth -= 1
        previous = tokens[i - 1].string if i else ""
        if kind == tokenize.OP and text in _PY_OPS:
            if text in "+-" and (previous in "(,=[:" or tokens[i - 1].type == tokenize.OP):
                continue  # a sign, not arithmetic
            if text in "+-" and _in_annotation(tokens, i):
                continue
            yield row, col, ecol, _PY_OPS[text]
        elif kind == tokenize.NAME and text in _PY_NAMES:
            if previous == "=" and tokens[i - 2].string in _QUIET_KEYWORDS:
                continue
            yield row, col, ecol, _PY_NAMES[text]
        elif kind == tokenize.NAME and text == "not" and tokens[i + 1].string != "in":
            if previous == "is":
                yield row, col - 1, ecol + 1, " "  # is not -> is
            else:
                yield row, col, tokens[i + 1].start[1], ""  # not x -> x
        elif kind == tokenize.NAME and text == "is" and tokens[i + 1].string == "None":
            yield row, col, ecol, "is not"
        elif kind == tokenize.NUMBER and previous != ":" and not _in_annotation(tokens, i):
            if line.lstrip().startswith("@"):
                continue  # a decorator's argument (a cache size) changes nothing a user sees
            bumped = _bump(text)
            if bumped is not None:
                yield row, col, ecol, bumped
    # bare call statements (a line that is only `name(...)` or `obj.name(...)`)
    for number, line in enumerate(source.splitlines(), 1):
        match = re.fullmatch(r"(\s*)([A-Za-z_][\w.]*)\((.*)\)\s*", line)
        if (
            match
            and match.group(2) not in {"print", "super"}
            and line.count("(") == line.count(")")
        ):
            yield number, 0, len(line), f"{match.group(1)}pass"


def _in_annotation(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    """A token inside a type annotation or a default in a signature (`keep: int = 7`)."""
    line = tokens[i].line.strip()
    return line.startswith(("def ", "async def ")) or bool(
        re.match(r"^\w+\s*:\s*[\w\[\], |]+=", line)
    )


# ---------------------------------------------------------------- SQL

_SQL_TOKEN = re.compile(
    r"(?P<skip>--[^\n]*|'(?:[^']|'')*'|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})"
    r"|(?P<op><>|>=|<=|!=|=|<|>)"
    r"|(?P<word>\b(?:and|or|not|desc|asc|true|false|is)\b)"
    r"|(?P<num>(?<![\w.])\d+(?:\.\d+)?(?![\w.]))",
    re.S | re.I,
)
_SQL_OPS = {"<>": "=", "!=": "=", "=": "<>", ">=": ">", ">": ">=", "<=": "<", "<": "<="}
_SQL_WORDS = {
    "and": "or",
    "or": "and",
    "desc": "asc",
    "asc": "desc",
    "true": "false",
    "false": "true",
}


def _sql_sites(source: str) -> Iterator[tuple[int, int, int, str]]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def where(offset: int) -> tuple[int, int]:
        row = max(i for i, s in enumerate(starts) if s <= offset)
        return row + 1, offset - starts[row]

    lines = source.splitlines()
    for match in _SQL_TOKEN.finditer(source):
        if match.group("skip"):
            continue
        row, col = where(match.start())
        text = match.group(0)
        end = col + len(text)
        if _join_key(lines[row - 1]):
            continue  # `on a.x = b.x`: a broken join key fails every test; not worth a dbt run
        if match.group("op"):
            yield row, col, end, _SQL_OPS[text]
        elif match.group("word"):
            word = text.lower()
            if word in _SQL_WORDS:
                yield row, col, end, _SQL_WORDS[word]
            elif word == "not":
                rest = source[match.end() :].lstrip()
                if not rest.lower().startswith(("null", "in ", "in(", "exists")):
                    yield row, col, end + 1, ""  # not x -> x
                elif rest.lower().startswith("null"):  # is not null -> is null
                    yield row, col, end + 1, ""
            elif word == "is" and source[match.end() :].lstrip().lower().startswith("null"):
                yield row, col, end, "is not"
        elif match.group("num"):
            bumped = _bump(text)
            if bumped is not None:
                yield row, col, end, bumped


def _join_key(line: str) -> bool:
    return bool(re.match(r"^\s*(on|and|or)\s+\w+\.\w+\s*=\s*\w+\.\w+\s*$", line, re.I))


def _compiles(text: str) -> bool:
    try:
        compile(text, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True


def _docstring_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                lines.update(range(value.lineno, (value.end_lineno or value.lineno) + 1))
    return lines

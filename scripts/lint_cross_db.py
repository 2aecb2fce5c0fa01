"""Fail on a DuckDB-only construct in the dbt project outside dbt/macros/cross_db.sql.

    .venv/bin/python scripts/lint_cross_db.py [DBT_DIR]

The project builds on DuckDB and on Spark (docs/spark.md): every construct the two
engines spell differently lives in one macro file, dispatched by adapter. This check reads every
.sql file of models/, tests/ and macros/ (and the column types of the .yml files) and prints
`file:line: spelling - what to use instead` for each forbidden spelling: a DuckDB function Spark
lacks, a type Spark refuses, DuckDB's struct/list literals, `* exclude`, a backslash in a
string literal (Spark drops it) or a double-quoted name (Spark reads a string). Jinja and SQL
comments are not read. Exit 1 when anything is found, 0 otherwise. `make lint` runs it.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
MACRO_FILE = "cross_db.sql"  # the one place engine-specific spellings are allowed

# spelling (regular expression, case-insensitive) -> what to write instead
FORBIDDEN_SQL: dict[str, str] = {
    r"\bregexp_full_match\s*\(": "regex_full_match(text, pattern)",
    r"\bregexp_matches\s*\(": "regex_contains(text, pattern)",
    r"\bregexp_replace\s*\(": "regex_replace_all(text, pattern, replacement)",
    r"\bregexp_extract\s*\(": "regex_extract(text, pattern, group)",
    r"\bregexp_extract_all\s*\(": "a macro in cross_db.sql",
    r"\bregexp_split_to_array\s*\(": "a macro in cross_db.sql",
    r"\barg_min\s*\(": "min_by(value, key)",
    r"\barg_max\s*\(": "max_by(value, key)",
    r"\bstarts_with\s*\(": "text_starts_with(text, prefix)",
    r"\bends_with\s*\(": "a macro in cross_db.sql",
    r"\bjaro_winkler_similarity\s*\(": "name_similarity(a, b) (characters, not bytes)",
    r"\bjaro_similarity\s*\(": "a macro in cross_db.sql",
    r"\blist_(?!of\b|appended\b|length\b|without_nulls\b)[a-z_]+\s*\(": (
        "list_of / list_appended / list_length / list_without_nulls"
    ),
    r"\barray_to_string\s*\(": "a macro in cross_db.sql",
    r"\bstring_split\s*\(": "a macro in cross_db.sql",
    r"\bstr_split\s*\(": "a macro in cross_db.sql",
    r"\bstruct_pack\s*\(": "struct_of([(name, value), ...])",
    r"\bstruct_extract\s*\(": "struct_field(value, name)",
    r"\bunnest\s*\(": "unnest_list(list)",
    r"\blen\s*\(": "list_length(list), or length(text)",
    r"\bstrftime\s*\(": "a macro in cross_db.sql",
    r"\bstrptime\s*\(": "a macro in cross_db.sql",
    r"\bepoch\s*\(": "a macro in cross_db.sql",
    r"\blambda\b": "list_without_nulls, or a macro in cross_db.sql",
    r"\bvarchar\b": "string",
    r"\bas\s+text\b": "string",
    r"::": "cast(value as type)",
    r"\*\s*exclude\b": "star_except(alias, columns)",
    r"\*\s*replace\s*\(": "name the columns",
}
# DuckDB's struct and list literals, in the SQL as written (Jinja has lists and dicts of its own)
FORBIDDEN_LITERALS_SQL: dict[str, str] = {
    r"\{\s*'[^']*'\s*:": "struct_of([(name, value), ...])",  # keys blanked, quotes kept
    r"\[\s*\]": "empty_list_of_structs(fields), or list_of([])",
    r"\[\s*(?:'|[0-9])": "list_of([...])",
}
# a string literal holding a backslash, and a double-quoted name: Spark reads both otherwise
FORBIDDEN_LITERALS: dict[str, str] = {
    r"'(?:[^'\n]|'')*\\(?:[^'\n]|'')*'": "quoted(text) (Spark drops a backslash in a literal)",
    r'(?<![\w\'])"[A-Za-z_][A-Za-z0-9_ ]*"(?![\w\'])': "a plain name (Spark reads a string)",
}
FORBIDDEN_YAML: dict[str, str] = {
    r"\b(data_type|[a-z_]+):\s*varchar\b": "string",
}

JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
SQL_COMMENT = re.compile(r"--[^\n]*")
STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")
JINJA_BLOCK = re.compile(r"\{[{%].*?[}%]\}", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    spelling: str
    instead: str

    def format(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}: {self.spelling!r} - use {self.instead}"


def _blank(match: re.Match[str]) -> str:
    """The match with everything but its line breaks blanked: line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


def _keep_quotes(match: re.Match[str]) -> str:
    """A string literal with its content blanked: patterns inside it are not read as SQL."""
    return "'" + _blank(match)[1:-1] + "'"


def _scan(
    path: Path, text: str, rules: dict[str, str], written: str | None = None
) -> list[Finding]:
    """Every match of the rules in `text` (a blanked copy of `written`: same offsets)."""
    written = text if written is None else written
    findings = []
    for pattern, instead in rules.items():
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            line = text.count("\n", 0, match.start()) + 1
            spelling = written[match.start() : match.end()].strip()
            findings.append(Finding(path, line, spelling, instead))
    return findings


def check_sql(path: Path) -> list[Finding]:
    """The forbidden spellings of one .sql file (its comments aside)."""
    text = JINJA_COMMENT.sub(_blank, path.read_text(encoding="utf-8"))
    text = SQL_COMMENT.sub(_blank, text)
    findings = _scan(path, text, FORBIDDEN_SQL)
    # literals are checked in the SQL as written, not in the Jinja that builds it
    sql = JINJA_BLOCK.sub(_blank, text)
    findings += _scan(path, sql, FORBIDDEN_LITERALS)
    findings += _scan(path, STRING_LITERAL.sub(_keep_quotes, sql), FORBIDDEN_LITERALS_SQL, sql)
    return findings


def check_yaml(path: Path) -> list[Finding]:
    """Column types Spark refuses in a .yml file (contracts, seed column_types)."""
    return _scan(path, path.read_text(encoding="utf-8"), FORBIDDEN_YAML)


def check(dbt_dir: Path) -> list[Finding]:
    """Every finding in the project's models, tests and macros, but the cross_db macro file."""
    findings: list[Finding] = []
    for folder in ("models", "tests", "macros", "seeds"):
        for path in sorted((dbt_dir / folder).rglob("*")):
            if path.name == MACRO_FILE or not path.is_file():
                continue
            if path.suffix == ".sql":
                findings += check_sql(path)
            elif path.suffix in (".yml", ".yaml"):
                findings += check_yaml(path)
    return sorted(findings, key=lambda f: (str(f.path), f.line))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dbt_dir", nargs="?", type=Path, default=DBT_DIR)
    args = parser.parse_args(argv)
    findings = check(args.dbt_dir)
    for finding in findings:
        print(finding.format(args.dbt_dir))
    if findings:
        print(
            f"{len(findings)} DuckDB-only construct(s) outside macros/{MACRO_FILE}: "
            "the project must build on Spark too (docs/spark.md)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

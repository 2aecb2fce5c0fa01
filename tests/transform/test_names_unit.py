"""The names layer alone (flows/names.py), fast: unresolved names read from a small
mart_unresolved_names, and `eduplan names accept` appending to a seed, on temporary files.
test_names.py runs the same end to end, through a night of the flow."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.unresolved_names import (
    AliasError,
    Candidate,
    UnresolvedName,
    accept_alias,
    unresolved_names,
)

CATALOGUE = "indicator_code,indicator_name_zh\npreschool,学前三年毛入园率\nmyopia,近视率\n"
ALIASES = "indicator_name_raw,indicator_code,breakdown_code,note\n学前入园率,preschool,,seed\n"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    (tmp_path / "indicators.csv").write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "indicator_aliases.csv").write_text(ALIASES, encoding="utf-8")
    (tmp_path / "regions.csv").write_text("region_code,region_name_zh\n330481,海宁市\n", "utf-8")
    (tmp_path / "region_aliases.csv").write_text("region_name_raw,region_code,note", "utf-8")
    return tmp_path


def test_accept_appends_one_row_with_the_seeds_columns(seeds: Path) -> None:
    path = accept_alias("indicator", "  近视人数比例 ", "myopia", seeds_dir=seeds)
    assert path == seeds / "indicator_aliases.csv"
    assert path.read_text(encoding="utf-8") == (
        ALIASES + "近视人数比例,myopia,,accepted by eduplan names\n"
    )
    accept_alias("indicator", "入园率", "preschool", seeds_dir=seeds, note="by hand")
    assert path.read_text(encoding="utf-8").endswith("入园率,preschool,,by hand\n")


def test_accept_ends_a_last_line_without_a_newline_first(seeds: Path) -> None:
    path = accept_alias("region", "海宁", "330481", seeds_dir=seeds)
    assert path.read_text(encoding="utf-8") == (
        "region_name_raw,region_code,note\n海宁,330481,accepted by eduplan names\n"
    )


@pytest.mark.parametrize(
    ("kind", "name", "code", "message"),
    [
        ("school", "x", "myopia", "unknown name kind 'school'"),
        ("indicator", "   ", "myopia", "the name is empty"),
        ("indicator", "近视", "eyesight", "'eyesight' is not in .*indicators.csv"),
        ("indicator", " 学前入园率", "myopia", "'学前入园率' already has an alias"),
    ],
)
def test_accept_refuses(seeds: Path, kind: str, name: str, code: str, message: str) -> None:
    before = (seeds / "indicator_aliases.csv").read_bytes()
    with pytest.raises(AliasError, match=message):
        accept_alias(kind, name, code, seeds_dir=seeds)
    assert (seeds / "indicator_aliases.csv").read_bytes() == before


def test_unresolved_names_grouped_with_their_candidates_in_rank_order(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema marts")
    con.execute(
        "create table marts.mart_unresolved_names as select * from (values "
        "('indicator', '近视人数', 2, 'a.csv:3', 'myopia', '近视率', 0.8, 1), "
        "('indicator', '近视人数', 2, 'a.csv:3', 'preschool', '学前三年毛入园率', 0.1, 2), "
        "('region', '海宁', 1, 'a.csv:4', '330481', '海宁市', 0.9, 1), "
        "('indicator', '入园', 5, 'b.csv:2', 'preschool', '学前三年毛入园率', 0.5, 1)) "
        "as t(name_kind, name_raw, occurrences, first_source_ref, candidate_code, "
        "candidate_name, similarity, candidate_rank)"
    )
    con.close()
    names = unresolved_names(database)
    assert names == [
        UnresolvedName(
            "indicator", "入园", 5, "b.csv:2", (Candidate("preschool", "学前三年毛入园率", 0.5),)
        ),
        UnresolvedName(
            "indicator",
            "近视人数",
            2,
            "a.csv:3",
            (Candidate("myopia", "近视率", 0.8), Candidate("preschool", "学前三年毛入园率", 0.1)),
        ),
        UnresolvedName("region", "海宁", 1, "a.csv:4", (Candidate("330481", "海宁市", 0.9),)),
    ]
    assert names[1].format() == (
        "indicator '近视人数' (2 row(s), a.csv:3): candidates myopia 0.80, preschool 0.10"
    )


def test_a_warehouse_without_the_mart_has_no_unresolved_names(tmp_path: Path) -> None:
    database = tmp_path / "empty.duckdb"
    duckdb.connect(str(database)).close()
    assert unresolved_names(database) == []

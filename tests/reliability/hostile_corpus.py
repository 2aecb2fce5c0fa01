"""The hostile and broken input corpus: actuals CSVs and plan documents as a careless exporter,
a spreadsheet or an attacker would leave them, each with what the night must do about it.

Generated at test time (the largest is 200 MB): `write_actuals(folder)` and
`write_plans(folder)` write every case and return {file name: expected outcome}. An outcome is
("loaded", check) or ("rejected", reason words) for actuals and ("error", words) for plans:
the words must all appear in the message naming the file.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

HEADER = "region,indicator,breakdown,year,value,unit,source_url,source_title"
HOSTILE = '"; DROP TABLE raw.actuals; --'
ROW = "海宁市,普惠性幼儿园儿童覆盖面,,2023,85.1,%,https://example.org/a,统计公报"
MB = 10**6


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _write_big_line(path: Path, prefix: bytes, size: int) -> None:
    """`prefix` then filler up to `size` bytes, with no newline: one line, written in chunks."""
    chunk = b"x" * (1 << 20)
    with path.open("wb") as handle:
        handle.write(prefix)
        left = size - len(prefix)
        while left > 0:
            handle.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def write_actuals(folder: Path, *, outside: Path, big_bytes: int = 200 * MB) -> dict[str, tuple]:
    """Every hostile actuals file in `folder`; `outside` is a folder outside raw/ for links."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, tuple] = {}

    def text(name: str, body: str, outcome: tuple, *, encoding: str = "utf-8") -> None:
        (folder / name).write_bytes(body.encode(encoding))
        cases[name] = outcome

    text("good.csv", f"{HEADER}\n{ROW}\n", ("loaded", 1))
    text("truncated.csv", f"{HEADER}\n{ROW}\n海宁市,普惠性幼儿园", ("loaded", 2))
    text("empty.csv", "", ("rejected", "empty_file", "empty"))
    text("gbk.csv", f"{HEADER}\n{ROW}\n", ("rejected", "encoding_gbk", "GBK"), encoding="gbk")
    (folder / "utf16.csv").write_bytes(
        codecs.BOM_UTF16_LE + f"{HEADER}\n{ROW}\n".encode("utf-16-le")
    )
    cases["utf16.csv"] = ("rejected", "not_utf8", "UTF-16")
    text("bom_crlf.csv", "\ufeff" + f"{HEADER}\r\n{ROW}\r\n", ("loaded", 1))
    text(
        "fullwidth.csv",
        f"{HEADER}\n海宁市,普惠性幼儿园儿童覆盖面,,2023,９０．５,%,u,t\n",
        ("loaded", 1),
    )
    text(
        "hostile_names.csv",
        f"{HEADER},{_csv_field(HOSTILE)}\n"
        f"{_csv_field(HOSTILE)},{_csv_field(HOSTILE)},,2023,1,%,u,t,{_csv_field(HOSTILE)}\n",
        ("loaded", 1),
    )
    text("long_cell.csv", f"{HEADER}\n海宁市,{'长' * 1_000_000},,2023,1,%,u,t\n", ("loaded", 1))
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 64)
    cases["binary.csv"] = ("rejected", "not_utf8", "UTF-8")
    secret = outside / "secret.csv"
    secret.write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    os.symlink(secret, folder / "link_outside.csv")
    cases["link_outside.csv"] = ("rejected", "not_csv", "outside")
    os.mkfifo(folder / "fifo.csv")
    cases["fifo.csv"] = ("rejected", "not_csv", "not a regular file")
    if big_bytes:
        _write_big_line(folder / "one_line.csv", HEADER.encode() + b",", big_bytes)
        cases["one_line.csv"] = ("rejected", "not_csv", "header")
    return cases


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _entity_bomb_workbook() -> bytes:
    """A workbook whose workbook.xml expands entities a billion-fold ("billion laughs")."""
    import io
    import zipfile

    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["指标", "2025年"])
    workbook.save(buffer)
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE w [{lol}]><workbook>&lol9;</workbook>'.encode()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as package:
        members = {name: package.read(name) for name in package.namelist()}
    return _zip({**members, "xl/workbook.xml": bomb})


def write_plans(folder: Path, *, outside: Path, good: Path, big_bytes: int = 200 * MB) -> dict:
    """Every hostile plan document in `folder` (plus a copy of the good plan `good` and its
    metadata, which must still be read)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in (good, good.with_suffix(".toml")):
        (folder / source.name).write_bytes(source.read_bytes())
    lines = good.read_text(encoding="utf-8")
    cases: dict[str, tuple] = {good.name: ("read",)}
    (folder / "empty.txt").write_bytes(b"")
    cases["empty.txt"] = ("error", "empty.txt")
    (folder / "truncated.txt").write_text(lines[: len(lines) // 3], encoding="utf-8")
    cases["truncated.txt"] = ("any",)  # a cut table may still be read exactly, or refused
    (folder / "gbk.txt").write_bytes(lines.encode("gb18030"))
    cases["gbk.txt"] = ("error", "GBK")
    (folder / "utf16.md").write_bytes(codecs.BOM_UTF16_LE + lines.encode("utf-16-le"))
    cases["utf16.md"] = ("error", "UTF-16")
    (folder / "bom_crlf.txt").write_bytes(
        codecs.BOM_UTF8 + lines.replace("\n", "\r\n").encode("utf-8")
    )
    cases["bom_crlf.txt"] = ("read",)
    (folder / "bom_crlf.toml").write_bytes(good.with_suffix(".toml").read_bytes())  # its region
    (folder / "hostile.md").write_text(
        "| 指标 | 2020 | 2025 | 属性 |\n|---|---|---|---|\n"
        f"| {HOSTILE} | ９０．５ | ≥９２ | 预期性 |\n",
        encoding="utf-8",
    )
    cases["hostile.md"] = ("any",)
    (folder / "binary.html").write_bytes(bytes(range(256)) * 64)
    cases["binary.html"] = ("any",)
    (folder / "binary.docx").write_bytes(bytes(range(256)) * 64)
    cases["binary.docx"] = ("error", "binary.docx")
    (folder / "binary.xlsx").write_bytes(bytes(range(256)) * 64)
    cases["binary.xlsx"] = ("error", "binary.xlsx", "not an .xlsx workbook")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 64)
    cases["binary.csv"] = ("error", "binary.csv", "not UTF-8")
    (folder / "zipped.xlsx").write_bytes(_zip({"[Content_Types].xml": b"<Types/>"}))
    cases["zipped.xlsx"] = ("error", "zipped.xlsx")
    (folder / "bomb.xlsx").write_bytes(_entity_bomb_workbook())
    cases["bomb.xlsx"] = ("error", "bomb.xlsx", "not a readable .xlsx workbook")
    secret = outside / "secret.txt"
    secret.write_text(lines, encoding="utf-8")
    os.symlink(secret, folder / "link_outside.txt")
    cases["link_outside.txt"] = ("error", "outside")
    if big_bytes:
        _write_big_line(folder / "one_line.txt", "指标".encode(), big_bytes)
        cases["one_line.txt"] = ("error", "MB")
    return cases

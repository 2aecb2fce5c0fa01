"""Extract a large plan document and report the time against a floor measured in the same run.

    python benchmarks/bench_extract.py --copies 200

The document is the five real plan excerpts (raw/plans) repeated `--copies` times: every layout
(tabbed, stacked, shifted rows, split cells, schedules) in one file of tens of thousands of lines.
The floor is the least any parser must do: decode the file, split it into lines and the lines
into tab-separated cells. The ratio says what finding tables, aligning rows and parsing values
costs on top of that.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _best_of(repeats: int, work: callable) -> tuple[float, object]:  # type: ignore[valid-type]
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(argv: list[str] | None = None) -> int:
    from flows.extract import extract_document

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200, help="times the five plans repeat")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    plans = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    one = "\n\n\n".join(p.read_text(encoding="utf-8") for p in plans) + "\n\n\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big-plan.txt"
        path.write_text(one * args.copies, encoding="utf-8")
        lines = path.read_text(encoding="utf-8").count("\n")

        def floor() -> int:
            text = path.read_bytes().decode("utf-8-sig")
            return sum(len(line.split("\t")) for line in text.splitlines())

        floor_s, _ = _best_of(args.repeats, floor)
        extract_s, document = _best_of(args.repeats, lambda: extract_document(path))
    cells = len(document.cells)  # type: ignore[attr-defined]
    expected = 257 * args.copies
    assert cells == expected, (cells, expected)
    print(f"document: {lines:,} lines, {len(document.tables):,} tables, {cells:,} value cells")  # type: ignore[attr-defined]
    print(f"floor (decode + split lines and cells): {floor_s * 1000:8.1f} ms")
    print(f"extract_document                      : {extract_s * 1000:8.1f} ms")
    print(f"ratio extract / floor                 : {extract_s / floor_s:8.1f}x")
    print(f"throughput                            : {lines / extract_s:,.0f} lines/s")
    _corpus(args.repeats, max(1, args.copies // 10))
    _whole_document(args.repeats)
    return 0


# Body text of a plan in the seeds' style (targets stated in prose, past results, labels), written
# here so that the benchmark needs nothing outside the repository.
_PROSE = [
    "一、发展基础",
    "“十三五”以来，全区新增学位2.3万个，普惠性幼儿园在园儿童覆盖面达97.6%，省标准化学校创建率"
    "达100%，中小学校际差异系数分别控制在0.33、0.25。",
    "二、主要任务",
    "（一）推进学前教育普及普惠发展",
    "坚持公益普惠原则，合理布局公办园项目并加快建设进程，完成小区配套幼儿园治理。到2025年，新建"
    "公办幼儿园二十所，普惠性幼儿园在园幼儿占比达到90%以上，省二级及以上幼儿园占比达70%以上。",
    "深化“互联网+义务教育”和“五育并举”，实施六大工程，近视率每年下降1个百分点以上，劳动教育平均"
    "每周不少于1课时，形成4—6个示范性教育集团，残疾少年高中段入学率达到88%，送教服务学生比例控制"
    "在10%以内。",
    "专栏1 教师队伍发展工程",
    "到2025年，培养学科骨干教师500名、教育名家70名，小学、初中教师本科学历比例分别达到95%、90%，"
    "优秀年轻干部数量不少于三分之一。",
]


def _whole_document(repeats: int) -> None:
    """A 1,000-line whole plan document (its tables as read today and its body text read for
    targets stated in prose) against the floor of decoding it and splitting it into lines and
    sentences."""
    import re

    from flows.extract import extract_document

    plans = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    tables = "\n".join(p.read_text(encoding="utf-8") for p in plans if "yuhang" in p.name)
    body, lines = [], tables.count("\n") + 1
    while lines < 1000:
        body.extend(_PROSE)
        lines += len(_PROSE)
    text = "\n".join(body[: len(body) - (lines - 1000)]) + "\n" + tables
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "whole-plan.txt"
        path.write_text(text, encoding="utf-8")
        (Path(tmp) / "whole-plan.toml").write_text(
            'region_code = "330110"\nperiod_start_year = 2021\nperiod_end_year = 2025\n',
            encoding="utf-8",
        )

        def floor() -> int:
            decoded = path.read_bytes().decode("utf-8-sig")
            return sum(len(re.split("[。；]", line)) for line in decoded.splitlines())

        floor_s, _ = _best_of(repeats, floor)
        extract_s, document = _best_of(repeats, lambda: extract_document(path))
    rows = len(document.commitments)  # type: ignore[attr-defined]
    assert rows > 100 and len(document.cells) == 21, (rows, len(document.cells))  # type: ignore[attr-defined]
    print(f"whole document: {text.count(chr(10)) + 1:,} lines, {rows:,} prose targets")
    print(
        f"  floor {floor_s * 1000:.1f} ms, extract {extract_s * 1000:.1f} ms, "
        f"ratio {extract_s / floor_s:.1f}x ({extract_s:.3f} s for 1,000 lines)"
    )


def _corpus(repeats: int, copies: int) -> None:
    """The same against the test corpus: every seed table in every text layout (pipes, aligned
    spaces, one cell per line, wrapped cells, section rows...), in one document."""
    from flows.extract import extract_document, extract_text
    from tests.corpus.render import LAYOUTS, seed_tables

    plans = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    tables = [
        t for p in plans if "schedule" not in p.name for t in seed_tables(extract_document(p))
    ]
    parts = [render(t) for t in tables for render in LAYOUTS.values()]
    text = "\n\n".join(parts * copies)
    lines = text.count("\n") + 1
    expected = copies * (sum(len(t.expected) for t in tables) * len(LAYOUTS) + 2 * len(tables))

    def floor() -> int:
        return sum(len(line.split("|")) for line in text.encode().decode().splitlines())

    floor_s, _ = _best_of(repeats, floor)
    extract_s, document = _best_of(repeats, lambda: extract_text("corpus.txt", text))
    cells = len(document.cells)  # type: ignore[attr-defined]
    assert cells == expected, (cells, expected)
    print(f"corpus: {lines:,} lines, {len(LAYOUTS)} layouts x {len(tables)} tables x {copies}")
    print(
        f"  floor {floor_s * 1000:.1f} ms, extract {extract_s * 1000:.1f} ms, "
        f"ratio {extract_s / floor_s:.1f}x, {lines / extract_s:,.0f} lines/s"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

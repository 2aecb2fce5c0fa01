"""Take the README's screenshot of the progress report: a region's section, in Debian's chromium.

    python scripts/report_screenshot.py warehouse/report/index.html docs/report.png \
        --region 330481

Opens the page headless at the region's anchor and saves the visible part (1400 px wide).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


def screenshot(report: Path, out: Path, *, region: str, height: int) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": height})
            page.goto(report.resolve().as_uri(), wait_until="networkidle")
            page.locator(f"#region-{region}").scroll_into_view_if_needed()
            page.evaluate(
                f"window.scrollTo(0, document.getElementById('region-{region}').offsetTop - 50)"
            )
            page.screenshot(path=str(out))
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--region", default="330481", help="region code (default: Haining)")
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()
    screenshot(args.report, args.out, region=args.region, height=args.height)


if __name__ == "__main__":
    main()

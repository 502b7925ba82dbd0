"""The README's picture of `stance predict --format html`: a seed article through the trained model, in headless Chromium.

    python benchmarks/page_screenshot.py [--model models/transformer] [--min-confidence 0.5] [--output reports/predict_page.png]

Needs Debian's chromium and chromium-driver, as the browser test does.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from chromium import headless

app = typer.Typer(add_completion=False)
ARTICLE = Path("data/articles/004_4e83cf9310ecd704.txt")


@app.command()
def main(
    model: Annotated[Path, typer.Option("--model", help="Model folder.")] = Path("models/transformer"),
    output: Annotated[Path, typer.Option("--output", help="PNG to write.")] = Path("reports/predict_page.png"),
    width: Annotated[int, typer.Option("--width", help="Window width in pixels.")] = 900,
    min_confidence: Annotated[float | None, typer.Option("--min-confidence", help="Passed to stance predict (default: the model's).")] = None,
) -> None:
    """Render the page and save a screenshot of its top."""
    with tempfile.TemporaryDirectory() as tmp, headless(width, 1300) as driver:
        page = Path(tmp) / "page.html"
        stance = Path(sys.executable).with_name("stance")
        threshold = [] if min_confidence is None else ["--min-confidence", str(min_confidence)]
        subprocess.run([str(stance), "predict", str(ARTICLE), "--model", str(model), *threshold, "--output", str(page)], check=True)
        driver.get(page.resolve().as_uri())
        driver.execute_script(
            "(document.querySelector('.sentence.claim') || document.querySelector('.text')).scrollIntoView({block: 'start'}); window.scrollBy(0, -120);"
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(output))
    print(f"Wrote {output}.")


if __name__ == "__main__":
    app()

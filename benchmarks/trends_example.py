"""The worked example of docs/trends.md: the labeled corpora themselves through `stance trends`, estimates beside the gold shares.

    python benchmarks/trends_example.py [--model models/transformer] [--output docs/trends]

The records are the CV's out-of-fold predictions (reports/cv/transformer.jsonl:
each sentence labeled by a model that never saw its article), written as
`stance predict` writes records, with the hand label carried as `gold`; the
metadata (date, outlet, kind) comes from data/metadata.csv and the pools'
sources.jsonl, and `conflict` from each article's slice (the pools' own
`conflict` field names almost one conflict per article). No sentence text is
read or written: records and outputs hold ids, labels and numbers only.
Writes by_year.csv and by_conflict.csv under --output, and a screenshot of
each page in headless Chromium (Debian's chromium and chromium-driver).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from chromium import headless
from trends_cv import completed_card, cv_rows

app = typer.Typer(add_completion=False)
CONFLICTS = {"pk": "Pakistan", "af": "Afghanistan", "ww": "other conflicts", "seed": "seed corpus (Pakistan)"}
VIEWS = {"by_year": ["--by", "year"], "by_conflict": ["--by", "all", "--group", "conflict"]}


def records(rows: list[dict[str, Any]], recommended: float) -> list[dict[str, Any]]:
    """The CV's predictions as `stance predict` records, set aside below the card's recommended confidence, gold carried."""
    found = []
    for row in rows:
        label = row["pred"]
        set_aside = label != "none" and row["scores"][label] < recommended
        sentence = int(row["id"].rsplit("-", 1)[1])
        found.append({"article": row["article"], "sentence": sentence, "label": label, "scores": row["scores"], "set_aside": set_aside, "gold": row["gold"]})
    return found


def metadata(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One row per labeled article: id, date, outlet, kind from the corpora's metadata, conflict from its slice."""
    pools = yaml.safe_load(Path("configs/params.yaml").read_text(encoding="utf-8"))["paths"]["pools"]
    known: dict[str, dict[str, str]] = {}
    with open("data/metadata.csv", encoding="utf-8", newline="") as handle:
        known |= {row["id"]: row for row in csv.DictReader(handle)}
    for folder in pools.values():
        for line in (Path(folder) / "sources.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                known[Path(record["file"]).stem] = record
    slices = {row["article"]: row["slice"] for row in rows}
    return [
        {
            "id": article,
            "date": known.get(article, {}).get("date", ""),
            "outlet": known.get(article, {}).get("outlet", ""),
            "kind": known.get(article, {}).get("kind", ""),
            "conflict": CONFLICTS.get(slice_, slice_),
        }
        for article, slice_ in slices.items()
    ]


def screenshot(page: Path, output: Path, width: int) -> None:
    with headless(width, 1400) as driver:
        driver.get(page.resolve().as_uri())
        driver.save_screenshot(str(output))


@app.command()
def main(
    model: Annotated[Path, typer.Option("--model", help="Model folder whose CV predictions and card are used.")] = Path("models/transformer"),
    output: Annotated[Path, typer.Option("--output", help="Folder for the CSVs and screenshots.")] = Path("docs/trends"),
    width: Annotated[int, typer.Option("--width", help="Screenshot width in pixels.")] = 1000,
) -> None:
    """Write the worked example's tables and page screenshots."""
    rows = cv_rows()
    stance = Path(sys.executable).with_name("stance")
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = completed_card(model, rows, Path(tmp))
        card = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        source = Path(tmp) / "records.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in records(rows, card["calibration"]["recommended_confidence"])), encoding="utf-8")
        meta = Path(tmp) / "metadata.csv"
        table = metadata(rows)
        with meta.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)
        for name, view in VIEWS.items():
            page = Path(tmp) / f"{name}.html"
            command = [str(stance), "trends", str(source), "--model", str(folder), "--metadata", str(meta), "--gold", "gold", *view]
            subprocess.run([*command, "--output", str(output / f"{name}.csv"), "--page", str(page)], check=True)
            screenshot(page, output / f"{name}.png", width)
    print(f"Wrote {output}/by_year.csv, by_conflict.csv and their pages' screenshots.")


if __name__ == "__main__":
    app()

"""`stance trends` end to end: records in every format, metadata joined, every share in the table, and bad input as one line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.predict.output import csv_row, flat_row
from tests.conftest import PARAMS
from tests.trends.synthetic import NAMES, card_folder, model, simulated, write_jsonl

runner = CliRunner()
SHARES = [0.3, 0.2, 0.05, 0.45]


@pytest.fixture
def records(tmp_path: Path) -> list[dict]:
    return list(simulated(np.random.default_rng(5), 60, SHARES))


def trends(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["trends", *args, "--params", str(PARAMS)])
    return result.exit_code, result.stdout, result.stderr


def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_records_to_a_table_of_every_estimator_and_a_page_with_its_plots(tmp_path: Path, records: list[dict]) -> None:
    source = write_jsonl(tmp_path / "records.jsonl", records)
    out, page = tmp_path / "cells.csv", tmp_path / "page.html"
    code, _, err = trends(str(source), "--model", str(model(tmp_path / "m")), "--group", "outlet", "--output", str(out), "--page", str(page))
    assert code == 0, err
    assert err.strip().endswith("6 cells from 60 articles and 720 sentences, by year and outlet; estimator cc; 6 small (fewer than 40 articles).")
    rows = table(out)
    assert {(r["period"], r["group"]) for r in rows} == {(y, o) for y in ("2010", "2011", "2012") for o in ("Dawn", "The News")}
    assert {r["estimator"] for r in rows} == {"cc", "pcc", "acc", "pacc", "summaries"}
    assert all(r["small"] == "True" for r in rows)
    cell = [r for r in rows if r["period"] == "2010" and r["group"] == "Dawn"]
    counted = [x for x in records if x["date"].startswith("2010") and x["outlet"] == "Dawn"]
    for name in NAMES:
        cc = next(r for r in cell if r["measure"] == "sentences" and r["estimator"] == "cc" and r["stance"] == name)
        assert float(cc["share"]) == pytest.approx(sum(x["label"] == name for x in counted) / len(counted), abs=1e-4)
        assert float(cc["low"]) <= float(cc["share"]) <= float(cc["high"])
    for estimator in ("cc", "pcc", "acc", "pacc"):
        shares = [float(r["share"]) for r in cell if r["measure"] == "sentences" and r["estimator"] == estimator]
        assert sum(shares) == pytest.approx(1.0, abs=1e-3)
    html = page.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 3 and "http://" not in html and "https://" not in html and "<script" not in html
    assert sorted(p.name for p in (tmp_path / "page_png").iterdir()) == ["shares-01-dawn.png", "shares-02-the-news.png", "stacked.png"]


def test_csv_and_parquet_records_give_the_table_jsonl_gives(tmp_path: Path, records: list[dict]) -> None:
    folder = model(tmp_path / "m")
    as_csv = tmp_path / "records.csv"
    with as_csv.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(csv_row(records[0])))
        writer.writeheader()
        writer.writerows(csv_row(r) for r in records)
    as_parquet = tmp_path / "records.parquet"
    pq.write_table(pa.Table.from_pylist([flat_row(r) for r in records]), as_parquet)
    outputs = []
    for source in (write_jsonl(tmp_path / "records.jsonl", records), as_csv, as_parquet):
        out = tmp_path / f"{source.suffix[1:]}.csv"
        code, _, err = trends(str(source), "--model", str(folder), "--by", "quarter", "--output", str(out))
        assert code == 0, err
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_metadata_is_joined_by_article_and_gold_shares_and_undated_articles_are_reported(tmp_path: Path, records: list[dict]) -> None:
    bare = [{k: v for k, v in r.items() if k not in ("date", "outlet")} for r in records]
    source = write_jsonl(tmp_path / "records.jsonl", bare)
    meta = tmp_path / "meta.jsonl"
    meta.write_text(
        "".join(json.dumps({"article": f"a{a}", "date": "" if a < 3 else f"201{a % 2}-02", "conflict": "TTP"}) + "\n" for a in range(58)), encoding="utf-8"
    )
    out = tmp_path / "cells.parquet"
    code, _, err = trends(
        str(source),
        "--model",
        str(model(tmp_path / "m")),
        "--metadata",
        str(meta),
        "--group",
        "conflict",
        "--by",
        "month",
        "--gold",
        "gold",
        "--output",
        str(out),
    )
    assert code == 0, err
    assert "warning: 2 of 60 articles are not in" in err
    assert "warning: 5 of 60 articles have no period: 5 no date (first: article a0)" in err
    rows = pq.read_table(out).to_pylist()
    assert {(r["period"], r["group"], r["articles"]) for r in rows} == {
        ("2010-02", "TTP", 27),
        ("2011-02", "TTP", 28),
        ("undated", "(unknown)", 2),
        ("undated", "TTP", 3),
    }
    gold = [r for r in rows if r["period"] == "2010-02" and r["measure"] == "sentences" and r["estimator"] == "acc"]
    truth = [x for x in records if int(x["article"][1:]) in range(3, 58) and int(x["article"][1:]) % 2 == 0]
    assert {r["stance"]: r["gold"] for r in gold} == pytest.approx({n: round(sum(x["gold"] == n for x in truth) / len(truth), 4) for n in NAMES})


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        ("no_label", [], "no field 'label'; expected the records of `stance predict`"),
        ("garbage", [], "not UTF-8 text"),
        ("", ["--group", "desk"], "no column 'desk' in the records (give --metadata FILE"),
        ("", ["--estimator", "acc", "--old"], "has no out-of-fold confusion (cv.confusion), which --estimator acc corrects by"),
        ("", ["--metadata", "missing.csv"], "missing.csv: no such metadata file."),
        ("bad_label", [], "label 'maybe' is not one of the model's labels"),
    ],
)
def test_bad_input_is_one_line_on_stderr_exit_1_and_no_output(tmp_path: Path, records: list[dict], change: str, args: list[str], message: str) -> None:
    source = tmp_path / "records.jsonl"
    if change == "garbage":
        source.write_bytes(b"\xff\xfe\x00garbage\n")
    else:
        rows = [{k: v for k, v in r.items() if k != "label"} if change == "no_label" else r for r in records]
        if change == "bad_label":
            rows[5] = rows[5] | {"label": "maybe"}
        write_jsonl(source, rows)
    folder = card_folder(tmp_path / "old", {}) if "--old" in args else model(tmp_path / "m")
    args = [str(tmp_path / a) if a == "missing.csv" else a for a in args if a != "--old"]
    out = tmp_path / "cells.csv"
    code, _, err = trends(str(source), "--model", str(folder), *args, "--output", str(out))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert not out.exists() and list(tmp_path.glob(".cells.csv*")) == []


def test_records_of_another_model_card_are_warned_about(tmp_path: Path, records: list[dict]) -> None:
    source = write_jsonl(tmp_path / "records.jsonl", [r | {"model": "majority", "model_card": "0123456789abcdef"} for r in records])
    code, _, err = trends(str(source), "--model", str(model(tmp_path / "m")), "--output", str(tmp_path / "cells.csv"))
    assert code == 0 and "warning: records were written by model card 0123456789abcdef, not by" in err


def test_the_real_command_writes_the_table_and_its_closing_line(tmp_path: Path, records: list[dict]) -> None:
    source = write_jsonl(tmp_path / "records.jsonl", records)
    out = tmp_path / "cells.csv"
    stance = Path(sys.executable).with_name("stance")
    command = [
        str(stance),
        "trends",
        str(source),
        "--model",
        str(model(tmp_path / "m")),
        "--by",
        "all",
        "--group",
        "outlet",
        "--output",
        str(out),
        "--params",
        str(PARAMS),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout == ""
        and done.stderr.strip()
        == "2 cells from 60 articles and 720 sentences, over the whole archive by outlet; estimator cc; 2 small (fewer than 40 articles)."
    )
    assert {(r["period"], r["group"], r["articles"]) for r in table(out)} == {("all", "Dawn", "30"), ("all", "The News", "30")}


def test_articles_whose_records_are_interleaved_add_up_as_if_they_came_together(tmp_path: Path, records: list[dict]) -> None:
    folder = model(tmp_path / "m")
    interleaved = sorted(records, key=lambda r: (r["sentence"], r["article"]))  # every article's first sentence, then every second, ...
    outputs = []
    for name, rows in (("together", records), ("interleaved", interleaved)):
        out = tmp_path / f"{name}.csv"
        code, _, err = trends(str(write_jsonl(tmp_path / f"{name}.jsonl", rows)), "--model", str(folder), "--group", "outlet", "--output", str(out))
        assert code == 0, err
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]

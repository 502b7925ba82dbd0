"""Throughput, wall time and peak memory of `stance predict`, beside `transformers.pipeline`.

Every measurement is a whole process, start to exit, run in this one script so
all share the machine's state: (a) `transformers.pipeline("text-classification")`
on the model's own encoder (benchmarks/hf_pipeline.py), (b) `stance predict` on the
same sentences as JSONL with the int8 ONNX model, in one process and with
`--workers 2` (whose records must be byte-identical), (c) the same with the torch
backend, (d) the fast triage model (`--model fast`), (e) the int8 model on the
same sentences as Parquet part files of PART_ROWS rows, locally and with
`--engine ray` (a local Ray started by the command itself, so its start-up
counts), whose labels and scores are compared, and (f) `stance predict` on one
short corpus article, printing its table, ARTICLE_RUNS times a round (it takes
about two seconds, and one run of it moves by a tenth).
The sentences are the corpus's own, cycled in order to the count asked for.
The package is compiled to bytecode first, so every command starts as it does
after an install, whatever PYTHONDONTWRITEBYTECODE says.
Rounds run the commands in turn, so noise from other work on the machine falls
on all of them alike; the median round is reported.

    python benchmarks/predict_speed.py [--model models/transformer] [--sentences 3000] [--rounds 3]

A model folder trained before the ONNX export existed is copied to a
temporary folder and exported there; the folder itself is never written.
"""

from __future__ import annotations

import compileall
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from workload import (
    RESULTS,
    ModelOption,
    OutputOption,
    ParamsOption,
    RoundsOption,
    SentencesOption,
    cycled,
    machine,
    seed_sentences,
)

import pipeline
from pipeline.config import DEFAULT_PARAMS, load_config
from pipeline.files import write_json, write_jsonl
from pipeline.models.encoder import ENCODER_DIR
from pipeline.models.onnx_runtime import ONNX_FILE

app = typer.Typer(add_completion=False)

HERE = Path(__file__).resolve().parent
STANCE = Path(sys.executable).with_name("stance")
SHORT_ARTICLE = "004_4e83cf9310ecd704"
# Parquet part files of this many rows: not a multiple of predict.chunk, so Ray's batches and one process's chunks
# are cut in different places, as in an archive of many part files.
PART_ROWS = 700
ARTICLE_RUNS = 5


def run(command: list[str], log: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak resident memory (MiB) of one process (see measure.py)."""
    with log.open("wb") as errors:
        done = subprocess.run([sys.executable, str(HERE / "measure.py"), *command], stdout=subprocess.PIPE, stderr=errors)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{log.read_text(encoding='utf-8', errors='replace')}")
    return json.loads(done.stdout)


def with_onnx(folder: Path, scratch: Path) -> Path:
    """The model folder itself when it has its ONNX export, else an exported copy in `scratch`."""
    if (folder / ONNX_FILE).is_file():
        return folder
    from pipeline.models.folder import load_model
    from pipeline.models.onnx_export import export_int8

    copy = scratch / folder.name
    shutil.copytree(folder, copy)
    model, card = load_model(copy, "torch")
    export_int8(model.model, copy, card.params)  # type: ignore[arg-type]
    return copy


def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)


@app.command()
def main(
    params: ParamsOption = DEFAULT_PARAMS,
    model: ModelOption = None,
    fast: Annotated[Path | None, typer.Option("--fast", help="Fast model folder (default: paths.models/fast).")] = None,
    sentences: SentencesOption = 3000,
    rounds: RoundsOption = 3,
    only: Annotated[str, typer.Option("--only", help="Processes to run, separated by ';' (default: all); ratios need transformers.pipeline.")] = "",
    output: OutputOption = RESULTS / "predict_speed.json",
) -> None:
    """Throughput, wall time and peak memory of `stance predict`, beside `transformers.pipeline`."""
    config = load_config(params)
    paths = config.paths
    corpus = seed_sentences(config)
    texts = cycled(corpus, sentences)
    compileall.compile_dir(Path(pipeline.__file__).parent, quiet=1)
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        folder = with_onnx(model or paths.models / "transformer", scratch)
        sentence_file = scratch / "sentences.jsonl"
        write_jsonl(sentence_file, ({"id": i, "text": text} for i, text in enumerate(texts)))
        archive = scratch / "archive"
        write_parts(archive, texts)
        stance = [str(STANCE), "predict", "--params", str(params)]
        predict = [*stance, "--model", str(folder), "--format", "jsonl"]
        to_parquet = [*stance, "--model", str(folder), "--format", "parquet"]
        article = paths.articles / f"{SHORT_ARTICLE}.txt"
        # name: (command, sentences it classifies, whether it counts as throughput)
        commands = {
            "transformers.pipeline": ([sys.executable, str(HERE / "hf_pipeline.py"), str(sentence_file), str(folder / ENCODER_DIR)], sentences, True),
            "stance predict, onnx int8": ([*predict, str(sentence_file), "--backend", "onnx", "--output", str(scratch / "onnx.jsonl")], sentences, True),
            "stance predict, onnx int8, --workers 2": (
                [*predict, str(sentence_file), "--backend", "onnx", "--workers", "2", "--output", str(scratch / "onnx2.jsonl")],
                sentences,
                True,
            ),
            "stance predict, torch": ([*predict, str(sentence_file), "--backend", "torch", "--output", str(scratch / "torch.jsonl")], sentences, True),
            "stance predict, fast model": (
                [*stance, "--model", str(fast or paths.models / "fast"), str(sentence_file), "--output", str(scratch / "fast.jsonl")],
                sentences,
                True,
            ),
            "stance predict, onnx int8, Parquet": ([*to_parquet, str(archive), "--output", str(scratch / "local.parquet")], sentences, True),
            "stance predict, onnx int8, Parquet, --engine ray": (
                [*to_parquet, str(archive), "--engine", "ray", "--output", str(scratch / "ray.parquet")],
                sentences,
                True,
            ),
            "stance predict, one short article, table": (
                [*stance, "--model", str(folder), str(article)],
                sum(s.article == SHORT_ARTICLE for s in corpus),
                False,
            ),
        }
        if only:
            commands = {name: commands[name] for name in only.split(";")}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        for round_number in range(1, rounds + 1):
            for name, (command, _, throughput) in commands.items():
                for _ in range(1 if throughput else ARTICLE_RUNS):
                    runs[name].append(run(command, scratch / "stderr.log"))
                    print(f"round {round_number}: {name}: {runs[name][-1]['wall_s']:.1f} s", file=sys.stderr)
        written = {name: scratch / f"{name}.jsonl" for name in ("onnx", "onnx2", "torch", "fast") if (scratch / f"{name}.jsonl").exists()}
        for name, path in written.items():
            lines = count_lines(path)
            if lines != sentences:
                raise SystemExit(f"stance predict ({name}) wrote {lines} records for {sentences} sentences.")
        if "onnx2" in written and written["onnx2"].read_bytes() != written["onnx"].read_bytes():
            raise SystemExit("stance predict --workers 2 wrote other records than one worker.")
        labels = {name: [json.loads(line)["label"] for line in path.read_text(encoding="utf-8").splitlines()] for name, path in written.items()}
        engines = engine_agreement(scratch / "ray.parquet", scratch / "local.parquet", config.labels.names)

    baseline = statistics.median(r["wall_s"] for r in runs["transformers.pipeline"]) if "transformers.pipeline" in runs else None
    results = {}
    for name, measured in runs.items():
        _, n, throughput = commands[name]
        wall = statistics.median(r["wall_s"] for r in measured)
        results[name] = {
            "sentences": n,
            "wall_s_median": round(wall, 2),
            "wall_s_all": [round(r["wall_s"], 2) for r in measured],
            "cpu_s_median": round(statistics.median(r["cpu_s"] for r in measured), 2),
            "sentences_per_s": round(n / wall, 1) if throughput else None,
            "speedup_vs_pipeline": round(baseline / wall, 2) if throughput and baseline else None,
            "peak_rss_mib": round(max(r["peak_rss_mib"] for r in measured)),
        }
    report = {
        "date": datetime.date.today().isoformat(),
        "command": " ".join(["python benchmarks/predict_speed.py", *sys.argv[1:]]),
        "machine": machine(load_before),
        "rounds": rounds,
        "onnx_torch_label_agreement": (
            round(sum(a == b for a, b in zip(labels["onnx"], labels["torch"])) / sentences, 4) if {"onnx", "torch"} <= set(labels) else None
        ),
        "ray_against_local": engines,
        "results": results,
    }
    write_json(output, report)

    print("\n".join(speed_table(report)))
    agreement = report["onnx_torch_label_agreement"]
    print(f"ONNX and torch labels agree on {agreement:.1%} of the sentences." if agreement is not None else "", f"Wrote {output}.")
    if engines is not None:
        print(
            f"--engine ray against the local path (int8): {engines['same_labels']:.2%} identical labels, largest score difference {engines['max_score_difference']}."
        )


def speed_table(report: dict[str, Any]) -> list[str]:
    """The table docs/predicting.md shows (a test holds it to the committed results): medians, and the range of a process run more than once."""
    lines = [
        "| process (whole, start to exit) | sentences | wall s, median (range) | sentences/s | × pipeline | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["results"].items():
        runs = r["wall_s_all"]
        wall = f"{r['wall_s_median']:.2f}" + (f" ({min(runs):.2f} to {max(runs):.2f})" if len(runs) > 1 else "")
        rate = "" if r["sentences_per_s"] is None else f"{r['sentences_per_s']:,.0f}"
        speedup = "" if r["speedup_vs_pipeline"] is None else f"{r['speedup_vs_pipeline']:.1f}"
        lines.append(f"| {name} | {r['sentences']:,} | {wall} | {rate} | {speedup} | {r['peak_rss_mib']:,} |")
    return lines


def write_parts(folder: Path, texts: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    for part, start in enumerate(range(0, len(texts), PART_ROWS)):
        rows = [{"id": i, "text": text} for i, text in enumerate(texts[start : start + PART_ROWS], start=start)]
        pq.write_table(pa.Table.from_pylist(rows), folder / f"part-{part:04d}.parquet")


def engine_agreement(ray: Path, local: Path, labels: tuple[str, ...]) -> dict[str, float] | None:
    """Identical labels and the largest score difference between the two engines' records, row by row."""
    import pyarrow.parquet as pq

    if not (ray.exists() and local.exists()):
        return None
    ours, theirs = pq.read_table(ray).to_pylist(), pq.read_table(local).to_pylist()
    if [(r["id"], r["text"]) for r in ours] != [(r["id"], r["text"]) for r in theirs]:
        raise SystemExit("--engine ray wrote other sentences, or in another order, than the local path.")
    columns = [f"score_{name}" for name in labels]
    return {
        "same_labels": round(sum(a["label"] == b["label"] for a, b in zip(ours, theirs, strict=True)) / len(ours), 4),
        "max_score_difference": round(max(abs(a[c] - b[c]) for a, b in zip(ours, theirs, strict=True) for c in columns), 4),
    }


if __name__ == "__main__":
    app()

"""The reference point of benchmarks/predict_speed.py: `transformers.pipeline("text-classification")`.

Classifies every `text` of a JSONL file with the plain pipeline on the same
encoder as the model being timed (the `encoder` folder of its model folder:
all-mpnet-base-v2 for the shipped transformer; the classification layer is
untrained, which costs the same), one process start to finish.

    python benchmarks/hf_pipeline.py SENTENCES.jsonl ENCODER_FOLDER
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    from transformers import pipeline

    texts = [json.loads(line)["text"] for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if line.strip()]
    classifier = pipeline("text-classification", model=sys.argv[2], device=-1)
    results = classifier(texts)
    print(f"{len(results)} sentences classified")


if __name__ == "__main__":
    main()

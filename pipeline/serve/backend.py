"""Label Studio's ML backend protocol, as Label Studio speaks it (docs/serving.md names the sources).

Label Studio POSTs `/setup` when a project connects (and before each batch of
predictions) and reads `model_version` back; it GETs `/health`; it POSTs
`/predict` with `tasks` and reads `results`, one prediction per task in order,
each with `result`, `score` and `model_version`; it registers `/webhook` for
every project event; it GETs `/versions` for the model versions to choose from.
The predictions are shaped as `stance labels export --with-predictions` writes
them (`pipeline.labels.labelstudio.prediction`), so a project's queue sorts the
same whether the guesses were imported or fetched live. The project's labeling
config is checked against the model's: a prediction whose control or choices the
project lacks would be dropped by Label Studio without a word.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from pipeline.labels.labelstudio import prediction
from pipeline.labels.labelstudio_formats import CHOICE, TEXT
from pipeline.predict.api import StanceModel
from pipeline.serve.bodies import Tasks, bad, field, optional_string
from pipeline.serve.limits import ApiError

EXPORTED_CONFIG = "use the labeling config that `stance labels export` writes beside its tasks"


def check_config(xml: str, model: StanceModel, where: str) -> None:
    """A labeling config the model's predictions fit: a Choices control `label` on the Text `text` (`$text`), with the model's labels."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as err:
        raise bad(where, f"not XML ({err})") from None
    texts = [tag for tag in root.iter("Text") if tag.get("name") == TEXT]
    if not texts or texts[0].get("value") != f"${TEXT}":
        raise ApiError(422, f'{where}: no <Text name="{TEXT}" value="${TEXT}"/> for the sentence; {EXPORTED_CONFIG}')
    controls = [tag for tag in root.iter("Choices") if tag.get("name") == CHOICE and tag.get("toName") == TEXT]
    if not controls:
        raise ApiError(422, f'{where}: no <Choices name="{CHOICE}" toName="{TEXT}"> to put the predicted label in; {EXPORTED_CONFIG}')
    choices = sorted(str(choice.get("value")) for choice in controls[0].iter("Choice"))
    if choices != sorted(model.labels.names):
        raise ApiError(422, f"{where}: its choices ({', '.join(choices)}) are not the model's labels ({', '.join(model.labels.names)}); {EXPORTED_CONFIG}")


def setup(body: dict[str, Any], model: StanceModel) -> dict[str, Any]:
    """`/setup`: the project's config checked, and the model version Label Studio files its predictions under."""
    optional_string(body, "project")
    schema = optional_string(body, "schema")
    if schema is not None:
        check_config(schema, model, "schema")
    return {"model_version": model.version}


def checked(request: Tasks, model: StanceModel) -> Tasks:
    if request.label_config is not None:
        check_config(request.label_config, model, "label_config")
    return request


def predictions(request: Tasks, model: StanceModel) -> dict[str, Any]:
    """`/predict` for Label Studio: one prediction per task, in task order (the model's worker thread runs it)."""
    records = model.classify_sentences(request.texts, warn=lambda message: None) if request.texts else []
    results = [prediction(record["label"], record["scores"][record["label"]], model.version) for record in records]
    return {"results": results, "model_version": model.version}


def webhook(body: dict[str, Any]) -> dict[str, Any]:
    """`/webhook`: Label Studio reports every project event here; this server never trains, so each is acknowledged and left alone."""
    action = field(body, "action", str, "body")
    return {"status": "ignored", "action": action, "reason": "stance serve does not train; retrain with `dvc repro` on the exported labels"}

"""configs/params.yaml, read once at the edge into one typed, frozen Config.

Each section is built from its dataclass in `pipeline.params` and checked there
(ranges, combinations); here, unknown and missing keys are refused, values
are coerced to the declared types, and a check's message, which starts with its
key, gets the section it was read from in front: one dataclass can serve
several sections (`transformer` and `tuned`). Every message starts with the
file it came from: a model card is checked by the same code and named as itself.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pipeline.benchmark_params import BenchmarkParams
from pipeline.errors import StanceError
from pipeline.kinds import KINDS, kind_named
from pipeline.params import (
    EvaluateParams,
    LabelingParams,
    LabelSet,
    Paths,
    PredictParams,
    ReportParams,
    SegmentParams,
    SliceParams,
    TrainParams,
)

T = TypeVar("T")
DEFAULT_PARAMS = Path("configs/params.yaml")


def _coerce(value: Any, kind: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        return _build(kind, value, where)  # type: ignore[arg-type]
    if origin is dict:
        if not isinstance(value, dict):
            raise StanceError(f"{where} must be a mapping, got {value!r}.")
        _, item = typing.get_args(kind) or (Any, Any)
        return {str(key): v if item is Any else _coerce(v, item, f"{where}.{key}") for key, v in value.items()}
    if kind is Path:
        if not isinstance(value, str | Path):
            raise StanceError(f"{where} must be a path string, got {value!r}.")
        return Path(value)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise StanceError(f"{where} must be a list, got {value!r}.")
        (item,) = {a for a in typing.get_args(kind) if a is not Ellipsis}
        return tuple(_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else _coerce(value, options[0], where)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(kind, type) and not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise StanceError(f"{where} must be {kind.__name__}, got {value!r}.")
    return value


def _build(cls: type[T], raw: Any, where: str) -> T:
    if not isinstance(raw, dict):
        raise StanceError(f"section {where} must be a mapping, got {raw!r}.")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise StanceError(f"unknown key {where}.{unknown[0]}; expected one of {sorted(fields)}.")
    missing = [name for name, f in fields.items() if name not in raw and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise StanceError(f"section {where} lacks key {missing[0]!r}.")
    values = {key: _coerce(value, hints[key], f"{where}.{key}") for key, value in raw.items()}
    try:
        return cls(**values)
    except StanceError as err:
        raise StanceError(f"{where}.{err}") from None


def build(cls: type[T], raw: Any, where: str, source: str) -> T:
    """A section dataclass from its mapping; unknown keys are an error, not ignored; `source` starts every message."""
    try:
        return _build(cls, raw, where)
    except StanceError as err:
        raise StanceError(f"{source}: {err}") from None


def overridden(section: T, overrides: dict[str, Any], where: str, source: str) -> T:
    """`section` with some keys replaced, checked like the file itself."""
    return build(type(section), {**dataclasses.asdict(section), **overrides}, where, source)  # type: ignore[call-overload]  # T is any section dataclass


@dataclass(frozen=True)
class Config:
    source: Path
    paths: Paths
    segment: SegmentParams
    slices: SliceParams
    labels: LabelSet
    train: TrainParams
    evaluate: EvaluateParams
    report: ReportParams
    # Model -> lowest cross-validated macro-F1 CI accepts.
    floor: dict[str, float]
    benchmark: BenchmarkParams
    predict: PredictParams
    labeling: LabelingParams
    # Each model kind's section by kind (`kind_params`), as the table in `pipeline.kinds` lists them.
    kinds: dict[str, Any]

    def __post_init__(self) -> None:
        for name, value in self.floor.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise StanceError(f"floor.{name} must be a number between 0 and 1, got {value!r}.")
        for name in (*self.evaluate.models, self.labeling.model, self.report.focus, self.report.baseline, *self.train.learning_curve_skip):
            if name not in KINDS:
                raise StanceError(f"model {name!r} in train, evaluate, report or labeling is not one of {', '.join(KINDS)}.")

    def kind_params(self, kind: str) -> Any:
        """The section of a model kind (`tfidf` -> TfidfParams)."""
        return self.kinds[kind_named(kind).section]


def read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise StanceError(f"{path}: parameters file not found.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise StanceError(f"{path}: not valid YAML ({err}).".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise StanceError(f"{path}: expected a mapping of sections.")
    return data


def load_config(path: Path) -> Config:
    """The whole parameters file, every section checked, once."""
    return config_from(read_yaml(path), path)


def find_params(start: Path) -> Path:
    """configs/params.yaml of the project `start` lies in, looking upwards as git and DVC do."""
    for folder in (start, *start.parents):
        if (folder / DEFAULT_PARAMS).is_file():
            return Path(os.path.relpath(folder / DEFAULT_PARAMS))
    raise StanceError(
        f"no stance project here: looked for {DEFAULT_PARAMS} in {start} and every folder above it; run stance inside a project or pass --params."
    )


def project_config(params: Path) -> Config:
    """The project's configuration: the default file is looked for upwards from here, so any folder of the project works."""
    return load_config(find_params(Path.cwd()) if params == DEFAULT_PARAMS and not params.is_file() else params)


def project_root(path: Path) -> Path:
    """The folder every path in the file is relative to: the project, which holds `configs/`."""
    folder = path.resolve().parent
    return folder.parent if folder.name == DEFAULT_PARAMS.parent.name else folder


def rebased(raw: dict[str, Any], root: Path) -> dict[str, Any]:
    """The file's paths, relative to the project root, as paths from the current folder."""

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: move(item) for key, item in value.items()}
        if isinstance(value, list):
            return [move(item) for item in value]
        return os.path.relpath(root / value) if isinstance(value, str) else value

    out = {**raw}
    if isinstance(raw.get("paths"), dict):
        out["paths"] = move(raw["paths"])
    if isinstance(raw.get("benchmark"), dict):
        out["benchmark"] = {key: move(value) if key in ("data", "out") and isinstance(value, str) else value for key, value in raw["benchmark"].items()}
    return out


def sections() -> list[str]:
    """Every section of the parameters file: one per field of Config, then one per model kind."""
    return [f.name for f in dataclasses.fields(Config) if f.name not in ("source", "kinds")] + [kind.section for kind in KINDS.values()]


def config_from(raw: dict[str, Any], path: Path) -> Config:
    """A Config from the parsed mapping of the file at `path` (named in every message)."""
    hints = typing.get_type_hints(Config)
    known = sections()
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise StanceError(f"{path}: unknown section {unknown[0]!r}; expected one of {sorted(known)}.")
    missing = [name for name in known if name not in raw]
    if missing:
        raise StanceError(f"{path}: no section {missing[0]!r}.")
    raw = rebased(raw, project_root(path))
    try:
        kinds = {kind.section: _coerce(raw[kind.section], kind.params, kind.section) for kind in KINDS.values()}
        values = {name: _coerce(raw[name], hints[name], name) for name in known if name not in kinds}
        return Config(source=path, kinds=kinds, **values)
    except StanceError as err:
        raise StanceError(f"{path}: {err}") from None

"""Typed, validated parameters: one frozen dataclass per section of configs/params.yaml.

Each section is checked once here (unknown keys, ranges, combinations), so the
rest of the code can trust what it is given.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from pipeline.errors import StanceError

T = TypeVar("T")


@dataclass(frozen=True)
class Paths:
    """Every path the pipeline reads or writes; dvc.yaml names the same ones through `vars`."""

    articles: Path
    metadata: Path
    # The article pool, read in place (its texts are never copied into the project).
    pool: Path
    # Adjudicated labels of the pool; training reads it besides the top of `labels`.
    pool_labels: Path
    sentences: Path
    descriptions: Path
    labels: Path
    models: Path
    reports: Path


@dataclass(frozen=True)
class SegmentParams:
    # Abbreviations pysbd does not know, lower-case, without the final period.
    extra_abbreviations: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelSet:
    names: tuple[str, ...]
    # The label that means "no claim"; claim-vs-none metrics are built on it.
    negative: str

    def __post_init__(self) -> None:
        if len(self.names) < 2 or len(set(self.names)) != len(self.names):
            raise StanceError(f"configs: labels.names must be at least two distinct labels, got {list(self.names)}.")
        if self.negative not in self.names:
            raise StanceError(f"configs: labels.negative {self.negative!r} is not one of {list(self.names)}.")

    @property
    def positives(self) -> tuple[str, ...]:
        return tuple(name for name in self.names if name != self.negative)


def _coerce(value: Any, kind: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        return build(kind, value, where)  # type: ignore[arg-type]
    if origin is dict:
        if not isinstance(value, dict):
            raise StanceError(f"configs: {where} must be a mapping, got {value!r}.")
        return dict(value)
    if kind is Path:
        if not isinstance(value, str):
            raise StanceError(f"configs: {where} must be a path string, got {value!r}.")
        return Path(value)
    if origin is tuple:
        if not isinstance(value, list):
            raise StanceError(f"configs: {where} must be a list, got {value!r}.")
        (item,) = {a for a in typing.get_args(kind) if a is not Ellipsis}
        return tuple(_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else _coerce(value, options[0], where)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(kind, type) and not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise StanceError(f"configs: {where} must be {kind.__name__}, got {value!r}.")
    return value


def build(cls: type[T], raw: Any, where: str) -> T:
    """Build a section dataclass from its mapping; unknown keys are an error, not ignored."""
    if not isinstance(raw, dict):
        raise StanceError(f"configs: section {where} must be a mapping, got {raw!r}.")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise StanceError(f"configs: unknown key {where}.{unknown[0]}; expected one of {sorted(fields)}.")
    missing = [
        name
        for name, f in fields.items()
        if name not in raw and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise StanceError(f"configs: section {where} lacks key {missing[0]!r}.")
    values = {key: _coerce(value, hints[key], f"{where}.{key}") for key, value in raw.items()}
    return cls(**values)


def read_params(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise StanceError(f"{path}: parameters file not found.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise StanceError(f"{path}: not valid YAML ({err}).".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise StanceError(f"{path}: expected a mapping of sections.")
    return data


def section(params: dict[str, Any], name: str, cls: type[T]) -> T:
    if name not in params:
        raise StanceError(f"configs: no section {name!r}.")
    return build(cls, params[name], name)

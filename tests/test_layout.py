"""The package's shape, read from its imports: layers, no cycles, small modules, and dvc.yaml deps that match the code.

Each stage's deps are computed, not remembered: the modules its command
imports (top level of the CLI, the command's own imports, then everything
those import, kinds named by string in the registry included) must be exactly
the `pipeline/` files dvc.yaml lists for it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from pipeline.models.registry import KINDS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
# Lower layers never import higher ones; the data flows the same way.
LAYERS = {
    "errors": 0,
    "params": 1,
    "benchmark_params": 1,
    "config": 2,
    "files": 2,
    "markdown": 2,
    "scores": 2,
    "corpus": 3,
    "labels": 4,
    "models": 5,
    "evaluation": 6,
    "training": 7,
    "predict": 8,
    "benchmark": 9,
    "cli": 10,
}
LONGEST = 300
NAMED = re.compile(r"^pipeline(\.\w+)+$")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_path(name: str) -> Path:
    base = ROOT.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(node: ast.AST, importer: str) -> set[str]:
    """Project modules a piece of code imports, and those a string names (importlib)."""
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("pipeline"):
            for alias in child.names:
                candidate = f"{child.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else child.module)
        elif isinstance(child, ast.Import):
            found.update(alias.name for alias in child.names if alias.name.startswith("pipeline."))
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            name = child.value.split(":")[0]
            if NAMED.match(name) and name in MODULES:
                found.add(name)
    found.discard(importer)
    return {name for name in found if name in MODULES}


def tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


def layer(name: str) -> int:
    return LAYERS[name.split(".")[1]]


def test_every_module_has_a_layer_and_imports_only_its_own_or_lower() -> None:
    wrong = [
        f"{name} imports {other}"
        for name in MODULES
        if name != "pipeline"
        for other in imported(tree(name), name)
        if layer(other) > layer(name)
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    graph = {name: imported(tree(name), name) for name in MODULES}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> list[str]:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                return [*path, name, other]
            if other not in state and (cycle := visit(other, [*path, name])):
                return cycle
        state[name] = 2
        return []

    cycles = [cycle for name in sorted(graph) if name not in state and (cycle := visit(name, []))]
    assert cycles == []


def test_no_module_is_long() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST}
    assert long == {}


# --- dvc.yaml deps ----------------------------------------------------------------------------------


def by_string(kind: str) -> set[str]:
    return {KINDS[kind].module} | ({KINDS[kind].export.split(":")[0]} if KINDS[kind].export else set())


def top_level(name: str) -> ast.Module:
    """A module without its function bodies: what importing it runs."""
    return ast.Module(body=[node for node in tree(name).body if not isinstance(node, ast.FunctionDef)], type_ignores=[])


def closure(start: set[str], kind: str | None) -> set[str]:
    """Every project module reachable from `start`. A CLI module brings in only its top level (each
    command imports its stage inside its body); the registry, which names kinds by string, only the stage's own kind
    (`EVERY_KIND` for a stage that loads them all)."""
    every_kind = set().union(*(by_string(k) for k in KINDS))
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found = imported(top_level(name) if name.startswith("pipeline.cli") else tree(name), name)
        if name == "pipeline.models.registry":
            found = (found - every_kind) | (every_kind if kind == EVERY_KIND else by_string(kind) if kind else set())
        todo.extend(found - seen)
    return seen


def command_modules(function: str, kind: str | None) -> set[str]:
    """Modules `stance <command>` runs: the package, the CLI's top level, the command's body, what they import."""
    stages = "pipeline.cli.stages"
    body = next(node for node in tree(stages).body if isinstance(node, ast.FunctionDef) and node.name == function)
    return closure({"pipeline", "pipeline.cli", "pipeline.cli.app"} | imported(body, stages), kind)


def as_files(modules: set[str]) -> set[str]:
    return {str(module_path(name).relative_to(ROOT)) for name in modules}


def declared(stage: dict) -> set[str]:
    return {dep for dep in stage.get("deps", []) if dep.startswith("pipeline/")}


STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
COMMANDS = {"segment": "segment", "evaluate": "evaluate", "behaviour": "behaviour", "report": "report"}
EVERY_KIND = "*"
# The stages that load models by kind name, and which kinds.
LOADS = {"behaviour": EVERY_KIND}


@pytest.mark.parametrize("stage", list(COMMANDS))
def test_stage_deps_are_exactly_the_modules_its_command_imports(stage: str) -> None:
    expected = as_files(command_modules(COMMANDS[stage], LOADS.get(stage)))
    assert sorted(declared(STAGES[stage])) == sorted(expected)


def test_the_training_stages_depend_on_what_training_their_kinds_imports() -> None:
    """One foreach template serves every kind: it lists each kind's own module as ${item}, and what any kind needs besides."""
    template = STAGES["train"]
    assert sorted(template["foreach"]) == sorted(KINDS)
    needed = set().union(*({f.replace(f"pipeline/models/{kind}.py", "pipeline/models/${item}.py") for f in as_files(command_modules("train", kind))} for kind in KINDS))
    assert sorted(declared(template["do"])) == sorted(needed)


def test_the_check_sees_a_missing_dep() -> None:
    """It can fail: the segment stage without one of the modules its command imports is caught."""
    listed = declared(STAGES["segment"]) - {"pipeline/corpus/segment.py"}
    assert listed != as_files(command_modules("segment", None))

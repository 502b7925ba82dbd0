"""The package's shape, read from its imports: layers, no cycles, small modules, and dvc.yaml deps that match the code.

Each stage's deps are computed, not remembered: the modules its `python -m`
entry point imports (the stage module and the shared runner, then everything
those import, the kinds the registry imports by the names in pipeline/kinds.py included) must be exactly
the `pipeline/` files dvc.yaml lists for it, and none of them is part of the
user CLI.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from pipeline.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pipeline"
# Lower layers never import higher ones; the data flows the same way.
LAYERS = {
    "errors": 0,
    "params": 1,
    "kinds": 1,
    "benchmark_params": 1,
    "config": 2,
    "stage_entry": 2,
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
    "trends": 9,
    "serve": 9,
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
# The table of model kinds names each kind's code by string; the registry imports it (`closure`), the table never does.
TABLE = "pipeline.kinds"


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
        elif importer != TABLE and isinstance(child, ast.Constant) and isinstance(child.value, str):
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
    wrong = [f"{name} imports {other}" for name in MODULES if name != "pipeline" for other in imported(tree(name), name) if layer(other) > layer(name)]
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


def closure(start: set[str], kind: str | None) -> set[str]:
    """Every project module reachable from `start`; from the registry, which imports the kinds the table names by string,
    only the stage's own kind (`EVERY_KIND` for a stage that loads them all)."""
    every_kind = set().union(*(by_string(k) for k in KINDS))
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found = imported(tree(name), name)
        if name == "pipeline.models.registry":
            found = (found - every_kind) | (every_kind if kind == EVERY_KIND else by_string(kind) if kind else set())
        todo.extend(found - seen)
    return seen


RUNNER = "pipeline.stage_entry"
ENTRY = re.compile(r"^python -m (pipeline(?:\.\w+)+)(?: |$)")


def entry_module(stage: dict) -> str:
    """The module a stage's `cmd` runs; a stage that runs anything but `python -m pipeline.<module>` fails here."""
    match = ENTRY.match(stage["cmd"])
    assert match and match.group(1) in MODULES, f"{stage['cmd']!r} does not run a pipeline module with python -m"
    return match.group(1)


def stage_modules(stage: dict, kind: str | None) -> set[str]:
    """Modules a stage's `python -m` runs: the package, the stage module, the shared runner, what they import."""
    return closure({"pipeline", entry_module(stage), RUNNER}, kind)


def as_files(modules: set[str]) -> set[str]:
    return {str(module_path(name).relative_to(ROOT)) for name in modules}


def declared(stage: dict) -> set[str]:
    return {dep for dep in stage.get("deps", []) if dep.startswith("pipeline/") and dep.endswith(".py")}


def templates(modules: set[str]) -> set[str]:
    """The Jinja2 templates beside the modules a stage imports: files its output is rendered from."""
    return {str(path.relative_to(ROOT)) for name in modules for path in (module_path(name).parent / "templates").glob("*.j2")}


STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
EVERY_KIND = "*"
# The stages that load models by kind name, and which kinds.
LOADS = {"behaviour": EVERY_KIND}
SINGLE = [name for name, stage in STAGES.items() if "foreach" not in stage]


def test_every_stage_runs_its_own_entry_point_and_the_runner_is_in_its_closure() -> None:
    stages = [*(STAGES[name] for name in SINGLE), STAGES["train"]["do"]]
    assert all(RUNNER in closure({entry_module(stage)}, None) for stage in stages)


@pytest.mark.parametrize("stage", SINGLE)
def test_stage_deps_are_exactly_the_modules_its_entry_point_imports(stage: str) -> None:
    expected = as_files(stage_modules(STAGES[stage], LOADS.get(stage)))
    assert sorted(declared(STAGES[stage])) == sorted(expected)


def test_the_training_stages_depend_on_what_training_their_kinds_imports() -> None:
    """One foreach template serves every kind: it lists each kind's own module as ${item}, and what any kind needs besides."""
    template = STAGES["train"]
    assert sorted(template["foreach"]) == sorted(KINDS)
    needed = set().union(
        *({f.replace(f"pipeline/models/{kind}.py", "pipeline/models/${item}.py") for f in as_files(stage_modules(template["do"], kind))} for kind in KINDS)
    )
    assert sorted(declared(template["do"])) == sorted(needed)


def test_a_stage_that_renders_a_template_depends_on_it() -> None:
    """A model card's README comes from a template: editing it must rerun the stages that write or read model folders."""
    for name, stage in [*((name, STAGES[name]) for name in SINGLE), ("train", STAGES["train"]["do"])]:
        modules = stage_modules(stage, LOADS.get(name, EVERY_KIND if name == "train" else None))
        listed = {dep for dep in stage.get("deps", []) if dep.endswith(".j2")}
        assert listed == templates(modules), name


def test_no_user_command_is_a_dep_of_any_stage() -> None:
    """Editing a `stance` command (its help, its options) changes no stage: no cli module is imported by or listed for one."""
    cli = {name for name in MODULES if name.startswith("pipeline.cli")}
    computed = set().union(*(stage_modules(STAGES[name], LOADS.get(name)) for name in SINGLE), *(stage_modules(STAGES["train"]["do"], kind) for kind in KINDS))
    listed = set().union(*(declared(STAGES[name]) for name in SINGLE), declared(STAGES["train"]["do"]))
    assert cli and computed & cli == set()
    assert listed & as_files(cli) == set()


def test_the_check_sees_a_missing_dep() -> None:
    """It can fail: the segment stage without one of the modules its entry point imports is caught."""
    listed = declared(STAGES["segment"]) - {"pipeline/corpus/segment.py"}
    assert listed != as_files(stage_modules(STAGES["segment"], None))

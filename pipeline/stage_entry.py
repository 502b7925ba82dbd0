"""How a stage runs, shared by `python -m pipeline.<package>.stage` (what dvc.yaml runs) and `stance <stage>`.

dvc.yaml runs each stage through its own module rather than the `stance` command:
`stance` imports every command module, so each would be a dep of every stage and
editing a help text would retrain every model. This module imports only the config,
so a stage's deps stay its own code.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pipeline.config import DEFAULT_PARAMS, project_config
from pipeline.errors import StanceError

F = TypeVar("F", bound=Callable[..., Any])
Stage = Callable[..., str]


def reports_errors(command: F) -> F:
    """Print a StanceError as one plain sentence and exit 1: never a traceback for what the user can fix."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StanceError as err:
            print(f"error: {err}".replace("\n", "\\n"), file=sys.stderr)  # one line, whatever a file name or field held
            raise SystemExit(1) from None
        except ModuleNotFoundError as err:  # a command of an optional extra, in a light install (docs/install.md)
            if (err.name or "pipeline").split(".")[0] == "pipeline":
                raise  # our own code missing is a bug, not a choice of extras
            print(f'error: this command needs {err.name}, which an optional extra installs (docs/install.md, "Core and extras").', file=sys.stderr)
            raise SystemExit(1) from None

    return wrapper  # type: ignore[return-value]


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


@reports_errors
def run(stage: Stage, params: Path, *arguments: str) -> None:
    """Load the config once, run the stage, print its one summary line."""
    print(stage(project_config(params), *arguments))


def main(*stages: Stage, arguments: Sequence[str] = ()) -> None:
    """`python -m` of a stage module: `[--params PATH]`, the stage's name when the module has several, then `arguments`."""
    module = sys.modules["__main__"]
    spec = getattr(module, "__spec__", None)
    parser = argparse.ArgumentParser(prog=f"python -m {spec.name}" if spec else None, description=module.__doc__)
    parser.add_argument("--params", type=Path, default=DEFAULT_PARAMS, help="Parameters file (one section per stage).")
    if len(stages) > 1:
        parser.add_argument("stage", choices=[stage.__name__ for stage in stages])
    for name in arguments:
        parser.add_argument(name)
    values = vars(parser.parse_args())
    stage = next(stage for stage in stages if len(stages) == 1 or stage.__name__ == values["stage"])
    run(stage, values["params"], *(values[name] for name in arguments))

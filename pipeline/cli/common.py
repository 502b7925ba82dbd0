"""What every command shares: the parameters option, loading the config once, one-line errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from pipeline.config import DEFAULT_PARAMS, Config, find_params, load_config
from pipeline.errors import StanceError

F = TypeVar("F", bound=Callable[..., Any])

ParamsOption = Annotated[Path, typer.Option("--params", help="Parameters file (one section per stage).")]
PARAMS = DEFAULT_PARAMS


def reports_errors(command: F) -> F:
    """Print a StanceError as one plain sentence and exit 1: never a traceback for what the user can fix."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StanceError as err:
            typer.echo(f"error: {err}".replace("\n", "\\n"), err=True)  # one line, whatever a file name or field held
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def project_config(params: Path) -> Config:
    """The project's configuration: the default file is looked for upwards from here, so any folder of the project works."""
    return load_config(find_params(Path.cwd()) if params == DEFAULT_PARAMS and not params.is_file() else params)


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)

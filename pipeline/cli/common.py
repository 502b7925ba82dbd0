"""What every command shares: the parameters option, loading the config once, one-line errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from pipeline.config import DEFAULT_PARAMS
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
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)

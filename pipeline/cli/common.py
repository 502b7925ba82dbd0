"""What every command shares: the parameters option, loading the config once, one-line errors.

The config lookup lives in `pipeline.config` and the error and warning lines in
`pipeline.stage_entry`, so `stance <stage>` and the DVC stage entry points behave alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.config import DEFAULT_PARAMS, project_config
from pipeline.stage_entry import reports_errors, warn

__all__ = ["PARAMS", "ParamsOption", "project_config", "reports_errors", "warn"]

ParamsOption = Annotated[Path, typer.Option("--params", help="Parameters file (one section per stage).")]
PARAMS = DEFAULT_PARAMS

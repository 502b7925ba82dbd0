"""The server's time limit and lock (in-process, with stand-in work), and `stance serve` refusing a model it cannot load."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.errors import StanceError
from pipeline.serve.limits import ApiError, Limits
from pipeline.serve.runner import Runner

STANCE = Path(sys.executable).with_name("stance")


def test_a_request_past_its_time_limit_is_answered_503_at_once() -> None:
    runner = Runner(timeout=0.2)

    async def ask() -> float:
        start = time.monotonic()
        with pytest.raises(ApiError) as refused:
            await runner(lambda: time.sleep(1.0))
        assert refused.value.status == 503 and str(refused.value).startswith("the model did not answer within 0.2 s (--timeout)")
        return time.monotonic() - start

    assert anyio.run(ask) < 0.8


def test_calls_take_turns_and_the_event_loop_stays_free_meanwhile() -> None:
    runner = Runner(timeout=5)
    spans: list[tuple[float, float]] = []
    ticks = 0

    def work() -> None:
        start = time.monotonic()
        time.sleep(0.15)
        spans.append((start, time.monotonic()))

    async def tick() -> None:
        nonlocal ticks
        for _ in range(20):
            await anyio.sleep(0.01)
            ticks += 1

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(runner, work)
            group.start_soon(tick)

    anyio.run(main)
    spans.sort()
    assert len(spans) == 3 and all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))
    assert ticks == 20


def test_a_request_that_times_out_waiting_for_the_model_never_runs() -> None:
    runner = Runner(timeout=0.3)
    ran = threading.Event()

    async def main() -> None:
        async def first() -> None:
            with pytest.raises(ApiError):
                await runner(lambda: time.sleep(0.6))

        async def second() -> None:
            await anyio.sleep(0.05)
            with pytest.raises(ApiError):
                await runner(ran.set)

        async with anyio.create_task_group() as group:
            group.start_soon(first)
            group.start_soon(second)
        await anyio.sleep(0.6)  # the first call's thread has finished and released the lock

    anyio.run(main)
    assert not ran.is_set()


def test_limits_must_be_positive() -> None:
    with pytest.raises(StanceError, match="the limits must be positive"):
        Limits(max_body_bytes=0)


def test_a_model_that_cannot_be_loaded_is_one_line_and_exit_1(tmp_path: Path) -> None:
    missing = tmp_path / "no-model"
    result = CliRunner().invoke(app, ["serve", "--model", str(missing), "--port", "9"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ") and str(missing) in result.stderr
    done = subprocess.run([str(STANCE), "serve", "--model", str(missing)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr == result.stderr and done.stdout == ""


def test_the_cli_loads_no_web_stack_until_serve_runs() -> None:
    """`stance --help` and every other command work without the `serve` extra installed."""
    code = "import sys, pipeline.cli.app; print(sorted(m for m in ('starlette', 'uvicorn', 'anyio') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr

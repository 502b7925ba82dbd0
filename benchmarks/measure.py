"""Run one command; print its wall seconds, CPU seconds and peak memory as JSON.

A small process of its own starts the command, because a child's peak memory
as the kernel reports it is never below that of the process that forked it:
measured from the benchmark itself, every command would show its size.

    python benchmarks/measure.py COMMAND [ARGS...]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    start = time.perf_counter()
    code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}))
    sys.exit(code)


if __name__ == "__main__":
    main()

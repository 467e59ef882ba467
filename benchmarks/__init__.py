"""linkguard's benchmark suite: speed, memory and accuracy against baselines, in one run.

Run ``python -m benchmarks`` (``--help`` for options).  Results go to
``benchmarks/results/latest.json`` (overwritten each run), the README tables between
the ``<!-- bench:*:start -->``/``end`` markers, and PNG plots in ``benchmarks/results/``.
``benchmarks/baseline.json`` holds the quality-gate floors.
"""

from __future__ import annotations

RESULTS_SCHEMA = 1

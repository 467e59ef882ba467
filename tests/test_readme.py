"""The README's quick start runs as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_quick_start_block_runs(seed_page: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "no python block under Quick start"
    monkeypatch.chdir(ROOT)
    if not os.path.exists("../shared/examples/seed_page.txt"):
        pytest.skip("the quick start reads ../shared/examples/seed_page.txt")
    exec(compile(block.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "True" in out and "raw_ip_links" in out

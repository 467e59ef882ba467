"""Every code block of the README runs as written.

Python blocks run as scripts, bash blocks with ``bash -e``, each in a fresh
process with outbound network refused (a ``sitecustomize`` on ``PYTHONPATH``
patches sockets in every Python process they start).  The blocks of "Install
and run" and the quick start run in the checkout, as a user would run them
there; the others run in a temporary folder holding the files they name, made
from ``tests/data``.

Two kinds of command are not run, and each is checked otherwise:

* ``pip install`` lines would download; the test checks instead that each
  names this project (``.`` or ``linkguard-spam``) with extras it really has,
  and that any other requirement on the line is met by the installed packages.
  A clean-machine CI run (``.ci/run``) runs the install for real.
* Commands listed in ``NOT_RUN`` with the reason: the test command (that is
  this run), training, the benchmark and the long fuzz run (each takes minutes
  and rewrites tracked files: the shipped model, the benchmark results).

The ``text`` block is a sample of output, checked against the real summary line.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import import_module, metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 (still supported): the backport, same API
    tomllib = import_module("tomli")

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
README = ROOT / "README.md"
BIN = Path(sys.executable).parent

NOT_RUN = {
    "python -m pytest": "the test command: this test is part of that run",
    "python -m training_data.train": "training takes minutes and rewrites the shipped model and its card",
    "python -m benchmarks": "benchmark runs take minutes and rewrite tracked results",
    "python -m tests.fuzz.run": "the long fuzz run (100,000 inputs) takes minutes",
    "bash tests/fuzz/asan.sh": "the sanitizer build and its fuzz run take minutes",
    "dolma -c": "the Dolma toolkit is not a dependency; tests/test_io_dolma.py applies the same spans as its mixer",
}

_SITECUSTOMIZE = """
import socket

_connect = socket.socket.connect


def _guarded(self, address):
    host = address[0] if isinstance(address, tuple) else address
    local = isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1"))
    if self.family == socket.AF_UNIX or local:
        return _connect(self, address)
    raise OSError(f"network access refused in README tests: {address!r}")


socket.socket.connect = _guarded
"""


@dataclass
class Block:
    lang: str
    code: str
    line: int
    section: str

    @property
    def key(self) -> str:
        return f"README.md:{self.line} ({self.section})"


def readme_blocks() -> list[Block]:
    blocks: list[Block] = []
    section = ""
    lines = README.read_text("utf-8").splitlines()
    k = 0
    while k < len(lines):
        line = lines[k]
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        m = re.match(r"^```(\w*)\s*$", line)
        if m:
            start = k
            k += 1
            body: list[str] = []
            while not lines[k].startswith("```"):
                body.append(lines[k])
                k += 1
            blocks.append(Block(m.group(1), "\n".join(body) + "\n", start + 1, section))
        k += 1
    return blocks


BLOCKS = readme_blocks()
IN_CHECKOUT = ("Install and run", "Quick start")


def _pyproject() -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data


def check_pip_install(command: str) -> None:
    """A ``pip install`` line names this project with its real extras; other requirements are installed."""
    project = _pyproject()["project"]
    extras = set(project["optional-dependencies"])
    args = shlex.split(command)
    args = args[args.index("install") + 1 :]
    for k, arg in enumerate(args[:-1]):
        if arg in ("-c", "--constraint"):  # a constraints file of the repository, pins that parse
            pins = [ln.split("#", 1)[0].strip() for ln in (ROOT / args[k + 1]).read_text("utf-8").splitlines()]
            assert all(Requirement(pin).specifier for pin in pins if pin), args[k + 1]
            args[k + 1] = "-"
    targets = [a for a in args if not a.startswith("-")]
    assert targets, command
    for target in targets:
        if target.startswith(".") or target.startswith("dist/"):
            m = re.fullmatch(r"[^\[]*(?:\[([\w,-]+)\])?", target)
            assert m, target
            wanted = set(filter(None, (m.group(1) or "").split(",")))
        else:
            req = Requirement(target)
            if req.name != project["name"]:
                version = metadata.version(req.name)  # installed, or PackageNotFoundError fails the test
                assert req.specifier.contains(version, prereleases=True), (target, version)
                continue
            wanted = set(req.extras)
        assert wanted <= extras, f"{command}: no such extra {sorted(wanted - extras)}"


def _commands(code: str) -> list[str]:
    """Shell commands of a bash block: comments dropped, backslash continuations joined."""
    out: list[str] = []
    current = ""
    for raw in code.splitlines():
        line = raw.rstrip()
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        out.append(current + line)
        current = ""
    return out


def runnable_script(code: str) -> tuple[str, list[str]]:
    """The block with pip lines checked and replaced, and ``NOT_RUN`` commands replaced; what was left out."""
    script: list[str] = []
    left_out: list[str] = []
    for command in _commands(code):
        parts = [p.strip() for p in command.split("&&")]
        kept: list[str] = []
        for part in parts:
            if re.match(r"^(python -m )?pip install ", part):
                check_pip_install(part.split("#", 1)[0])
                continue
            reason = next((why for prefix, why in NOT_RUN.items() if part.startswith(prefix)), None)
            if reason:
                left_out.append(f"{part}: {reason}")
                continue
            kept.append(part)
        if kept:
            script.append(" && ".join(kept))
    return "\n".join(script) + "\n", left_out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the files the CLI, Spark and datatrove blocks name."""
    d = tmp_path_factory.mktemp("readme")
    (d / "site").mkdir()
    (d / "site" / "sitecustomize.py").write_text(_SITECUSTOMIZE, "utf-8")
    shutil.copy(DATA / "page.html", d / "page.html")
    seed = ROOT.parent / "shared" / "examples" / "seed_page.txt"
    page = DATA / "page.txt"
    shutil.copy(seed if seed.is_file() else page, d / "seed_page.txt")
    (d / "crawl" / "news").mkdir(parents=True)
    shutil.copy(DATA / "page.html", d / "crawl" / "index.html")
    shutil.copy(d / "seed_page.txt", d / "crawl" / "news" / "article.php")
    shutil.copy(DATA / "pages.warc.gz", d / "pages.warc.gz")
    shutil.copy(DATA / "pages.wet.gz", d / "pages.warc.wet.gz")
    good = [json.loads(line) for line in (DATA / "pages.jsonl").read_text("utf-8").splitlines()[:2]]
    jsonl = "".join(json.dumps(r) + "\n" for r in good)
    (d / "pages.jsonl").write_text(jsonl, "utf-8")
    (d / "dump.jsonl.gz").write_bytes(gzip.compress(jsonl.encode("utf-8"), mtime=0))
    (d / "warc.paths").write_text(str(d / "pages.warc.gz") + "\n", "utf-8")
    (d / "data" / "warc").mkdir(parents=True)
    shutil.copy(DATA / "pages.warc.gz", d / "data" / "warc" / "pages.warc.gz")
    return d


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(workdir / "site"), env.get("PYTHONPATH")]))
    env["PYSPARK_PYTHON"] = sys.executable
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    env.pop("NO_COLOR", None)
    return env


def _needs(block: Block) -> str | None:
    """Why a block cannot run on this machine (a missing tool), or ``None``."""
    if "spark" in block.code.lower() and "pip install" not in block.code and shutil.which("java") is None:
        return "Spark blocks need Java on PATH"
    seed = ROOT.parent / "shared" / "examples" / "seed_page.txt"
    if "seed_page.txt" in block.code and block.section in IN_CHECKOUT and not seed.is_file():
        return "the block reads ../shared/examples/seed_page.txt, which is absent"
    return None


def _run(args: list[str], cwd: Path, workdir: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, cwd=cwd, env=_env(workdir), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    )
    return proc


def test_every_block_is_covered() -> None:
    assert {b.lang for b in BLOCKS} <= {"bash", "python", "text"}, "a block in a language this test does not run"
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "python"], ids=lambda b: b.key)
def test_python_block_runs(block: Block, workdir: Path) -> None:
    why = _needs(block)
    if why:
        pytest.skip(why)
    cwd = ROOT if block.section in IN_CHECKOUT else workdir
    script = workdir / f"block_{block.line}.py"
    named = re.match(r"# (\w+\.py): run with `python \1`$", block.code.splitlines()[0])
    if named:
        script = workdir / named.group(1)  # the block names its own file
    script.write_text(block.code, "utf-8")
    proc = _run([sys.executable, str(script)], cwd, workdir)
    if block.section == "Quick start":
        assert "True" in proc.stdout and "raw_ip_links" in proc.stdout
    if named and named.group(1) == "cc_pipeline.py":  # the pipeline really read the WARC and wrote
        assert list((workdir / "output").glob("*.jsonl*")), sorted(p.name for p in workdir.iterdir())


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "bash"], ids=lambda b: b.key)
def test_bash_block_runs(block: Block, workdir: Path) -> None:
    why = _needs(block)
    if why:
        pytest.skip(why)
    script, left_out = runnable_script(block.code)
    if not script.strip():
        assert left_out or "pip install" in block.code  # only install lines (checked) or listed commands
        return
    cwd = ROOT if block.section in IN_CHECKOUT else workdir
    proc = _run(["bash", "-e", "-o", "pipefail", "-c", script], cwd, workdir)
    if block.section == "CLI":  # what the examples promise is there
        assert (workdir / "report" / "index.html").is_file()
        assert len((workdir / "rows.jsonl").read_text("utf-8").splitlines()) == 2  # crawl/: two pages
        if (ROOT.parent / "shared" / "examples" / "seed_page.txt").is_file():
            assert "SPAM" in proc.stdout  # explain on the seed page
    if block.section == "The ready job":  # two jobs, two output folders
        assert list((workdir / "linkguard_warc").glob("*.parquet"))
        assert list((workdir / "linkguard_jsonl").glob("*.parquet"))


def test_text_block_is_the_real_summary_line() -> None:
    from linkguard import default_model
    from linkguard.cli import Messages, Progress

    (sample,) = [b for b in BLOCKS if b.lang == "text"]
    threshold = default_model().threshold  # the summary names the bundled model's threshold
    m = Messages(Progress(sys.stderr, enabled=False), verbose=0, quiet=False)
    for status, spam in [("ok", True)] * 3 + [("ok", False)] * 6 + [("skipped", None)] * 2 + [("error", None)]:
        m.row({"status": status, "is_spam": spam, "threshold": threshold if status == "ok" else None})
    expected = "linkguard: " + m.summary(12 / 30.2)
    assert sample.code.strip() == expected


def test_pip_lines_are_checked_not_trusted() -> None:
    """The install check fails on an extra the project does not have (a check that cannot fail is no check)."""
    with pytest.raises(AssertionError, match="no such extra"):
        check_pip_install("pip install 'linkguard-spam[sparkk]'")
    with pytest.raises(metadata.PackageNotFoundError):
        check_pip_install("pip install -e . 'no-such-package-xyz>=1'")


def test_ci_runs_the_readme_test_command() -> None:
    (block,) = [b for b in BLOCKS if b.section == "Install and run" and "pytest" in b.code]
    command = block.code.strip().replace("pip install -e", "pip install -q -e")
    assert command in (ROOT / ".ci" / "run").read_text("utf-8")

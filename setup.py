"""Build of the optional compiled core (``linkguard._core``).

Everything else is in pyproject.toml.  The core is compiled against the lexbor
headers of the pinned selectolax release (its wheel ships the compiled lexbor but
not the headers, its source distribution has both) and links to nothing: lexbor's
structures are read through those headers, and selectolax's own objects come in
through its ``.pxd`` at run time.  When anything is missing (Cython, a C compiler,
the headers) the build says so and linkguard installs without the core: the
pure-Python path does the same work, slower.

Environment:
    LINKGUARD_BUILD_CORE=0        do not try to build the core
    LINKGUARD_LEXBOR_SOURCE=DIR   lexbor's ``source`` directory of the pinned selectolax
                                  release (else it is fetched once with ``pip download``)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import warnings
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
PIN = re.search(r'^SELECTOLAX_PIN = "([^"]+)"', (HERE / "linkguard" / "_compiled.py").read_text(), re.M)
SELECTOLAX = PIN.group(1) if PIN else ""


def _say(msg: str) -> None:
    print(f"linkguard: {msg}", file=sys.stderr, flush=True)
    warnings.warn(f"linkguard: {msg}", stacklevel=2)


def _lexbor_source() -> Path | None:
    """Where the pinned selectolax's lexbor headers are: given, cached, or fetched once."""
    given = os.environ.get("LINKGUARD_LEXBOR_SOURCE")
    if given:
        return Path(given) if (Path(given) / "lexbor" / "html" / "html.h").is_file() else None
    cache = HERE / "build" / f"selectolax-{SELECTOLAX}-lexbor"
    if (cache / "lexbor" / "html" / "html.h").is_file():
        return cache
    sdist_dir = HERE / "build" / "sdist"
    sdist_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", f"selectolax=={SELECTOLAX}"]
    cmd += ["--no-binary", ":all:", "--no-deps", "-d", str(sdist_dir), "-q"]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        tail = detail.decode("utf-8", "replace").strip().splitlines()[-1:] if detail else []
        _say(f"could not fetch the selectolax {SELECTOLAX} source for its lexbor headers ({exc}) {' '.join(tail)}")
        return None
    archives = sorted(sdist_dir.glob(f"selectolax-{SELECTOLAX}.tar.gz"))
    if not archives:
        return None
    with tarfile.open(archives[0]) as tar:
        prefix = f"selectolax-{SELECTOLAX}/lexbor/source/"
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.name.endswith(".h") and m.isfile()]
        for m in members:
            m.name = m.name[len(prefix) :]
            if m.name.startswith("/") or ".." in Path(m.name).parts:
                continue
            tar.extract(m, cache, filter="data") if sys.version_info >= (3, 12) else tar.extract(m, cache)
    return cache if (cache / "lexbor" / "html" / "html.h").is_file() else None


class OptionalBuildExt(build_ext):
    """Build the core if possible; otherwise warn and carry on without it."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # compiler missing, headers missing, Cython error
            _say(f"compiled core not built ({exc}); the pure-Python path will be used")

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            _say(f"compiled core not built ({type(exc).__name__}: {exc}); the pure-Python path will be used")


def _extensions() -> list[Extension]:
    if os.environ.get("LINKGUARD_BUILD_CORE", "1") == "0":
        _say("LINKGUARD_BUILD_CORE=0: compiled core not built")
        return []
    try:
        import selectolax
        from Cython.Build import cythonize
    except ImportError as exc:
        _say(f"compiled core not built ({exc}); the pure-Python path will be used")
        return []
    if getattr(selectolax, "__version__", None) != SELECTOLAX:
        _say(
            f"compiled core not built: it is made for selectolax {SELECTOLAX}, "
            f"the build environment has {getattr(selectolax, '__version__', '?')}"
        )
        return []
    source = _lexbor_source()
    if source is None:
        _say(f"compiled core not built: no lexbor headers of selectolax {SELECTOLAX}")
        return []
    flags = os.environ.get("LINKGUARD_CORE_CFLAGS", "-O3").split()
    ext = Extension(
        "linkguard._core",
        ["linkguard/_core.pyx"],
        include_dirs=[str(source)],
        define_macros=[("LINKGUARD_SELECTOLAX_VERSION", f'"{SELECTOLAX}"')],
        extra_compile_args=[*flags, "-Wno-unused-function"],
    )
    try:
        return list(cythonize([ext], compiler_directives={"language_level": 3}, quiet=True))
    except Exception as exc:
        _say(f"compiled core not built (Cython: {exc}); the pure-Python path will be used")
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})

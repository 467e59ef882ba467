"""Which implementation runs: the compiled core when it is built, else ``None`` (the pure-Python reference).

A leaf of the package: every module that can hand work to the core reads :data:`core` here
at call time, so switching it (``LINKGUARD_PURE=1`` at start-up, or setting it to ``None``)
switches every stage at once.

The core reads lexbor's C structures through the headers of one selectolax release, so
it only runs beside that release: another one installed next to it is refused at import
with a message naming both (a silent mismatch would read memory wrongly).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

SELECTOLAX_PIN = "1.0.2"
"""The selectolax release the compiled core is built against (pyproject pins the same)."""


def _load() -> ModuleType | None:
    if os.environ.get("LINKGUARD_PURE", "") not in ("", "0"):
        return None
    try:
        import selectolax
    except ImportError:  # pragma: no cover - a dependency
        return None
    installed = getattr(selectolax, "__version__", "unknown")
    if installed != SELECTOLAX_PIN and importlib.util.find_spec("linkguard._core") is not None:
        # Checked before the import: the module would read another release's structures.
        raise ImportError(_mismatch(installed))
    try:
        _core = importlib.import_module("linkguard._core")
    except ModuleNotFoundError as exc:
        if exc.name != "linkguard._core":
            raise
        global missing
        missing = True
        return None
    if installed != _core.SELECTOLAX_VERSION or installed != SELECTOLAX_PIN:
        raise ImportError(_mismatch(installed, _core.SELECTOLAX_VERSION))
    return _core


def _mismatch(installed: str, built: str = SELECTOLAX_PIN) -> str:
    return (
        f"linkguard's compiled core was built against selectolax {built}, but selectolax {installed} "
        f"is installed. Install selectolax=={built} (the release linkguard pins), or set "
        "LINKGUARD_PURE=1 to use the pure-Python path."
    )


missing = False
"""The core could have been built but was not (no compiler at install): said once at the first scan."""

core = _load()
"""The compiled module, or ``None`` when scanning runs on the pure-Python reference."""

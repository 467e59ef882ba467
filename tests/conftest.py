"""Shared fixtures: no network, and the shared corpus by path."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

CORPUS_DIR = Path(os.environ.get("LINKGUARD_CORPUS", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"))
SEED_PAGE = Path(
    os.environ.get(
        "LINKGUARD_SEED_PAGE",
        Path(__file__).resolve().parents[1] / ".." / "shared" / "examples" / "seed_page.txt",
    )
)


class NetworkBlockedError(RuntimeError):
    """Raised when code under test tries to open a network connection."""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Every test runs with outbound sockets refused (loopback is allowed for Spark's JVM)."""
    if request.node.get_closest_marker("spark"):
        return
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: tuple[Any, ...] | str | bytes) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1")):
            return real_connect(self, address)
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise NetworkBlockedError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    real_getaddrinfo = socket.getaddrinfo

    def guarded_lookup(host: object, *args: object, **kwargs: object) -> object:
        if host in (None, "localhost", "127.0.0.1", "::1"):
            return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]
        raise NetworkBlockedError(f"name lookup attempted: {host!r}")

    monkeypatch.setattr(socket, "getaddrinfo", guarded_lookup)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real-page corpus; tests that need it skip with a reason when it is absent."""
    if not (CORPUS_DIR / "manifest.jsonl").is_file():
        pytest.skip(f"shared corpus not found at {CORPUS_DIR} (set LINKGUARD_CORPUS)")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def seed_page() -> str:
    if not SEED_PAGE.is_file():
        pytest.skip(f"seed page not found at {SEED_PAGE} (set LINKGUARD_SEED_PAGE)")
    return SEED_PAGE.read_text("utf-8")


@pytest.fixture(scope="module")
def spam_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A model file that calls every segment spam: wiring tests must not depend on trained weights."""
    from helpers import constant_model_file

    return str(constant_model_file(tmp_path_factory.mktemp("models") / "spam.json", spam=True))


@pytest.fixture(scope="module")
def clean_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A model file that calls every segment content."""
    from helpers import constant_model_file

    return str(constant_model_file(tmp_path_factory.mktemp("models") / "clean.json", spam=False))

"""``python -m linkguard``: the same as the ``linkguard`` command."""

from __future__ import annotations

from linkguard.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

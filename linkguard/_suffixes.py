"""Public suffixes from the snapshot of the Public Suffix List that tldextract bundles.

Every page's links need their registrable domain.  tldextract answers that, but importing it
also imports an HTTP client stack (requests, urllib3, ssl, email) that an offline scanner never
uses: about a third of `import linkguard`, paid again by every Spark worker and every fresh
process of a crawl job.  This module reads the same snapshot file (found without importing the
package) and walks its rules exactly as tldextract's extractor does without private domains,
so the two give the same split; the tests hold them equal on generated and real host names.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

_SNAPSHOT = ".tld_set_snapshot"
_PRIVATE = "// ===BEGIN PRIVATE DOMAINS==="
_RULE = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)


class SuffixListMissingError(LookupError):
    """tldextract or its bundled snapshot is not installed."""


def _snapshot_path() -> Path:
    spec = importlib.util.find_spec("tldextract")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        path = Path(loc) / _SNAPSHOT
        if path.is_file():
            return path
    raise SuffixListMissingError("the Public Suffix List snapshot bundled with tldextract was not found")


@cache
def _rules(private: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """The ICANN rules (``com``, ``*.bd``, ``!www.ck``) and every trailing part of them (trie nodes);
    with ``private``, the private rules too (``blogspot.com``, ``github.io``: hosting services).

    A rule's trailing parts are the nodes of tldextract's reversed-label trie: ``kawasaki.jp``
    and ``jp`` for ``*.kawasaki.jp``.  A node is a rule end when the rule itself is listed.
    """
    text = _snapshot_path().read_text("utf-8")
    listed = text if private else text.partition(_PRIVATE)[0]
    rules = frozenset(m.group("suffix") for m in _RULE.finditer(listed))
    nodes: set[str] = set()
    for rule in rules:
        labels = rule.split(".")
        for i in range(len(labels)):
            nodes.add(".".join(labels[i:]))
    return rules, frozenset(nodes)


def _decode(label: str) -> str:
    """A label as the list writes it: lower case, punycode (``xn--``) decoded to Unicode."""
    lowered = label.lower()
    if lowered.startswith("xn--"):
        import idna  # only for internationalised labels; a dependency of tldextract

        try:
            return str(idna.decode(lowered))
        except (UnicodeError, IndexError):
            pass
    return lowered


def suffix_start(labels: list[str], *, private: bool = False) -> int | None:
    """Index of the first label of the public suffix of ``labels``, ``None`` when none is listed.

    The longest listed suffix wins; ``*`` matches any one label unless a ``!`` exception names
    it; an unlisted label under a listed one ends the walk.  ``private``: the list's private
    rules count too (tldextract's ``include_psl_private_domains``).
    """
    rules, nodes = _rules(private)
    n = len(labels)
    idx = suffix_idx = n
    path = ""
    for label in reversed(labels):
        name = _decode(label)
        here = f"{name}.{path}" if path else name
        if here in nodes:
            idx -= 1
            path = here
            if here in rules:
                suffix_idx = idx
            continue
        if (f"*.{path}" if path else "*") in nodes:
            exception = f"!{name}.{path}" if path else f"!{name}"
            return idx if exception in nodes else idx - 1
        break
    return None if suffix_idx == n else suffix_idx


def split_domain(host: str, *, private: bool = False) -> tuple[str, str]:
    """``(domain label, public suffix)`` of a dotted host name, as tldextract splits it.

    ``news.bbc.co.uk`` gives ``("bbc", "co.uk")``; a host under no listed suffix gives its last
    label and ``""``; a host that is all suffix gives ``("", suffix)``.  Trailing dots are
    dropped.  Host names with brackets, ports or other URL syntax are not handled here.
    ``private``: split on the private rules too (``("my-blog", "blogspot.com")``).
    """
    labels = host.rstrip(".").split(".")
    start = suffix_start(labels, private=private)
    if start is None:
        return labels[-1], ""
    return (labels[start - 1] if start > 0 else ""), ".".join(labels[start:])


__all__ = ["SuffixListMissingError", "split_domain", "suffix_start"]

"""Hosts and registrable domains, offline.

Registrable domains come from the Public Suffix List snapshot that tldextract
bundles, read by :mod:`linkguard._suffixes` (never downloaded: tldextract's
default constructor fetches the list and keeps a locked disk cache, which on a
crawler worker without network prints tracebacks and on many processes contends
for the lock).  Lookups are cached by hostname (a page repeats a handful of
hosts many times).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from linkguard._suffixes import split_domain

# Suffixes that hacked-site spam borrows for credibility (Indonesian campus,
# school and government hosts above all) and their usual foreign equivalents.
_INSTITUTIONAL = re.compile(
    r"(?:^|\.)(?:ac|go|sch|or|mil|desa|ponpes|gov|edu|org|net|co)\.id$"
    r"|(?:^|\.)(?:edu|gov|mil)$"
    r"|(?:^|\.)(?:edu|gov|gob|ac|go|gouv|govt|mil)\.[a-z]{2}$"
)
# ``or.id``/``co.id``/``net.id`` are commercial enough to be excluded from "institutional".
_NOT_INSTITUTIONAL = re.compile(r"(?:^|\.)(?:co|net|org|web|my|biz)\.id$")

_HOST_CHARS = re.compile(r"^[a-z0-9.\-_\[\]:]+$")


class HostInfo(NamedTuple):
    """What the features need to know about one link target."""

    domain: str
    """Registrable domain (``example.co.uk``), the IP for raw-IP hosts, or ``""``."""
    is_ip: bool
    institutional: bool
    digits_in_name: bool


def _is_ip(host: str) -> bool:
    h = host.strip("[]")
    if not h or not (h[0].isdigit() or ":" in h):
        return False  # an address starts with a digit (IPv4) or holds a colon (IPv6): no exception to pay for
    try:
        ipaddress.ip_address(h)
    except ValueError:
        # Dotted quads with out-of-range parts (999.1.1.1) are still "raw IP" spam-wise.
        return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", h))
    return True


_NO_SITE = HostInfo("", False, False, False)
"""Malformed hosts, and loopback, private and single-label ones: not another web site."""


def _is_local_ip(h: str) -> bool:
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified


@lru_cache(maxsize=65536)
def host_info(host: str) -> HostInfo:
    """Classify a bare hostname (lower case, no port)."""
    if not host or len(host) > 253 or not _HOST_CHARS.match(host):
        return _NO_SITE
    if _is_ip(host):
        if _is_local_ip(host.strip("[]")):
            return _NO_SITE
        return HostInfo(host.strip("[]"), True, False, True)
    if "." not in host:
        # ``localhost``, intranet names: a reference to the reader's own machine or network.
        return _NO_SITE
    name = netloc_host(host)
    label, suffix = (name, "") if _bracketed_ipv6(name) else split_domain(name)
    domain = f"{label}.{suffix}" if label and suffix else label or host
    institutional = bool(_INSTITUTIONAL.search(domain)) and not _NOT_INSTITUTIONAL.search(domain)
    return HostInfo(domain, False, institutional, any(c.isdigit() for c in label))


def site_name(host: str) -> str:
    """The name a site's owner chose: its registrable domain, with the private rules of the
    suffix list counted too, so that a site on a hosting service is its own name
    (``best-essay-writer-online.blogspot.com``, not ``blogspot.com``); ``""`` for an address or a
    host that names no site.

    Who owns a link's target is the registrable domain (:func:`host_info`): every blog of a
    service shares its operator.  What the owner called the site is this name."""
    info = host_info(host)
    if not info.domain or info.is_ip:
        return ""
    label, suffix = split_domain(netloc_host(host), private=True)
    return f"{label}.{suffix}" if label and suffix else info.domain


def _bracketed_ipv6(name: str) -> bool:
    if len(name) < 4 or name[0] != "[" or name[-1] != "]":
        return False
    try:
        socket.inet_pton(socket.AF_INET6, name[1:-1])
    except OSError:
        return False
    return True


def netloc_host(host: str) -> str:
    """The part of a netloc that names the site: a bracketed address, else the name before a
    port, without trailing dots (as tldextract and :func:`split_host` both read it)."""
    if host.startswith("["):
        inner, bracket, _ = host.partition("]")
        if bracket:
            return inner + "]"
    return host.partition(":")[0].rstrip(".")


# ``scheme://host[:port]`` then the path, query, fragment or the end: ``urlsplit`` would find
# the same host (no user info, brackets, spaces or other characters it strips or rejects).
_SIMPLE_NETLOC = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.\-]*:)?//([a-zA-Z0-9.\-]*)(?::[0-9]*)?(?:[/?#]|\Z)")


def split_host(url: str) -> str:
    """Lower-case hostname of an absolute URL, ``""`` when there is none."""
    if "//" not in url[:12]:
        return ""
    simple = _SIMPLE_NETLOC.match(url)
    if simple:
        return simple.group(1).lower().rstrip(".")
    return _host_by_urlsplit(url)


def _host_by_urlsplit(url: str) -> str:
    """What :func:`split_host` means: ``urlsplit``'s netloc without user info and port."""
    if "//" not in url[:12]:
        return ""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return ""
    # urlsplit has already refused a netloc with an unclosed bracket.
    return _netloc_name(netloc)


def _netloc_name(netloc: str) -> str:
    """The host of a ``urlsplit`` netloc: lower case, without user info and port."""
    return netloc_host(netloc.rpartition("@")[2].lower())


@lru_cache(maxsize=8192)
def absolute(href: str, base: str | None) -> str:
    """Resolve ``href`` against the page URL; malformed input is returned unchanged.

    Cached: the segment features and the link verdicts resolve the same links of a page.
    """
    href = href.strip()
    if not base or "://" in href[:12]:
        return href
    if href.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return href
    if _PLAIN_ROOTED.match(href):
        # The common on-site link (``/about``): ``urljoin`` would give the base's origin plus
        # the href, at about ten times the cost.
        origin = _origin(base)
        if origin:
            return origin + href
    try:
        return urljoin(base, href)
    except ValueError:
        return href


# A root-relative href that ``urljoin`` only prefixes with the base's origin: no dot segment,
# no empty segment, no empty query, fragment or parameters (``;``) for it to drop, nothing it would strip or
# re-quote (printable ASCII only).
_PLAIN_ROOTED = re.compile(r"(?!.*(?:/\.|//|\?#))/[!$-:<-~]*(?<![?#])\Z")
_ORIGIN = re.compile(r"(https?://[^/?#\\\s]+)(?:[/?#]|$)", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    """``scheme://netloc`` of an http(s) base URL as ``urljoin`` keeps it, ``""`` when unsure."""
    m = _ORIGIN.match(base)
    if m is None or base != base.strip() or "@" in m.group(1) or "[" in m.group(1):
        return ""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin if origin == m.group(1) else ""


def page_domain(url: str | None) -> str:
    """Registrable domain of the page's own URL, ``""`` when unknown."""
    if not url:
        return ""
    return host_info(split_host(url if "//" in url else "http://" + url)).domain


# ---------------------------------------------------------------- open redirects
# A link laundered through a search engine's or a social site's redirect (``google.ws/url?url=``,
# ``l.facebook.com/l.php?u=``) goes where its parameter says: hijacked campus folders are linked
# that way so that the page shows a harmless host.  The features read the target.

REDIRECT_HINT = re.compile(r"[=?][hH][tT][tT][pP][sS]?(?::|%3[aA])|/amp/s/")
"""What every redirect :func:`redirect_target` unwraps contains (a link without it is never one)."""

_REDIRECT_PARAMS: dict[tuple[str, str], tuple[str, ...]] = {
    # (registrable domain, path) -> the parameters that carry the target, first present wins
    ("facebook.com", "/l.php"): ("u",),
    ("instagram.com", "/"): ("u",),
    ("vk.com", "/away.php"): ("to",),
    ("youtube.com", "/redirect"): ("q",),
    ("umblr.com", "/redirect"): ("z",),
    ("steamcommunity.com", "/linkfilter/"): ("url", "u"),
    ("duckduckgo.com", "/l/"): ("uddg",),
    ("linkedin.com", "/redir/redirect"): ("url",),
    ("outlook.com", "/"): ("url",),
}
_MAX_REDIRECTS = 3


def redirect_target(url: str) -> str:
    """Where an absolute link through a known open redirect leads (``url`` itself for any other
    link): Google's ``/url?q=|url=`` and ``/amp/s/`` on any of its country domains, and the
    leave-site redirects of Facebook, Instagram, VK, YouTube, Tumblr, Steam, DuckDuckGo, LinkedIn,
    Outlook safe links and ``href.li``; a redirect inside a redirect is followed (three at most)."""
    if not _may_redirect(url):  # most links: four substring tests instead of a cached regex search
        return url
    for _ in range(_MAX_REDIRECTS):
        inner = _unwrap(url)
        if not inner:
            break
        url = inner
    return url


def _may_redirect(url: str) -> bool:
    """A necessary condition of :data:`REDIRECT_HINT` (``[=?][hH]`` or ``/amp/s/`` in ``url``)."""
    return "=h" in url or "=H" in url or "?h" in url or "?H" in url or "/amp/s/" in url


@lru_cache(maxsize=4096)
def _unwrap(url: str) -> str:
    if not REDIRECT_HINT.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    domain = host_info(_netloc_name(parts.netloc)).domain
    path = parts.path
    if domain == "href.li":
        return _absolute_http(unquote(parts.query))
    if domain.partition(".")[0] == "google":
        if path.startswith("/amp/s/"):
            rest = path[len("/amp/s/") :] + (f"?{parts.query}" if parts.query else "")
            return _absolute_http("https://" + rest)
        names: tuple[str, ...] = ("q", "url") if path == "/url" else ()
    else:
        names = _REDIRECT_PARAMS.get((domain, path), ())
    if not names:
        return ""
    params = parse_qs(parts.query, keep_blank_values=False)
    for name in names:
        for value in params.get(name, ()):
            target = _absolute_http(value)
            if target:
                return target
    return ""


def _absolute_http(value: str) -> str:
    """``value`` stripped when it is an absolute http(s) URL with a host, else ``""``."""
    value = value.strip()
    if not value[:8].lower().startswith(("http://", "https://")) or not split_host(value):
        return ""
    return value

"""linkguard never touches the network: sockets are blocked (tests/conftest.py) and it still works."""

from __future__ import annotations

import socket
import urllib.request

import pytest

import linkguard
from linkguard import _domains


def test_socket_use_raises() -> None:
    with pytest.raises(Exception, match=r"lookup|network"):
        socket.create_connection(("example.com", 80), timeout=1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(Exception, match=r"network"):
            s.connect(("93.184.216.34", 80))
    finally:
        s.close()
    with pytest.raises(Exception, match=r"lookup|network"):
        socket.getaddrinfo("publicsuffix.org", 443)
    with pytest.raises(Exception, match=r"lookup|network"):
        urllib.request.urlopen("https://publicsuffix.org/list/public_suffix_list.dat", timeout=1)


def test_tldextract_is_offline() -> None:
    ext = _domains.extractor()
    assert tuple(ext.suffix_list_urls) == ()
    assert ext.fallback_to_snapshot
    cache = ext._cache  # tldextract keeps cache_dir on its DiskCache
    assert not cache.enabled and cache.cache_dir in (None, "None")
    parts = ext("kampus.ac.id")
    assert parts.suffix == "ac.id"
    assert parts.domain == "kampus"
    assert ext("www.example.co.uk").suffix == "co.uk"
    info = _domains.host_info("sub.kampus.ac.id")
    assert info.domain == "kampus.ac.id" and info.institutional


def test_scan_with_links_needs_no_network() -> None:
    page = (
        "<p>Visit <a href='http://kampus.ac.id/'>kampus</a>, <a href='http://[::1]/'>v6</a>, "
        "<a href='http://xn--80ak6aa92e.com/'>idn</a> and <a href='http://999.1.1.1/'>ip</a>.</p>"
    )
    report = linkguard.scan(page, url="http://news.example.co.uk/a")
    assert report.segments
    list(linkguard.score_records([{"id": 1, "html": page, "url": "http://x.go.id/"}]))

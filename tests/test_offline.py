"""linkguard never touches the network: sockets are blocked (tests/conftest.py) and it still works."""

from __future__ import annotations

import socket
import subprocess
import sys
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


def test_suffix_list_is_the_bundled_snapshot() -> None:
    # The suffix list is read from the file tldextract ships, never fetched: the package that
    # would fetch it (and its HTTP stack) is not even imported by a scan.
    code = (
        "import sys, linkguard\n"
        "linkguard.scan(\"<p><a href='http://kampus.ac.id/'>k</a> and text</p>\", 'https://x.org/')\n"
        "print(sorted(m for m in ('tldextract', 'requests', 'urllib3', 'http.client') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    info = _domains.host_info("sub.kampus.ac.id")
    assert info.domain == "kampus.ac.id" and info.institutional
    assert _domains.host_info("www.example.co.uk").domain == "example.co.uk"


def test_scan_with_links_needs_no_network() -> None:
    page = (
        "<p>Visit <a href='http://kampus.ac.id/'>kampus</a>, <a href='http://[::1]/'>v6</a>, "
        "<a href='http://xn--80ak6aa92e.com/'>idn</a> and <a href='http://999.1.1.1/'>ip</a>.</p>"
    )
    report = linkguard.scan(page, url="http://news.example.co.uk/a")
    assert report.segments
    list(linkguard.score_records([{"id": 1, "html": page, "url": "http://x.go.id/"}]))

from __future__ import annotations

from urllib.parse import urljoin

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linkguard._domains import absolute, extractor, host_info, page_domain, split_host


def test_extractor_is_offline() -> None:
    ext = extractor()
    assert ext.suffix_list_urls == ()
    assert ext("kampus.ac.id").suffix == "ac.id"


def test_host_info() -> None:
    assert host_info("103.49.239.135").is_ip
    assert host_info("999.1.1.1").is_ip
    assert host_info("www.markas303.ac.id").institutional
    assert host_info("www.markas303.ac.id").digits_in_name
    assert not host_info("shop.co.id").institutional
    assert host_info("news.bbc.co.uk").domain == "bbc.co.uk"
    assert host_info("").domain == ""
    assert host_info("bad host!").domain == ""


def test_urls() -> None:
    assert split_host("HTTP://User@Example.COM:8080/x") == "example.com"
    assert split_host("http://[::1]/") == "[::1]"
    assert split_host("/relative") == ""
    assert absolute("/a", "https://x.org/b/c") == "https://x.org/a"
    assert absolute("javascript:void(0)", "https://x.org/") == "javascript:void(0)"
    assert page_domain("https://www.example.org/news") == "example.org"
    assert page_domain(None) == ""


def test_local_hosts_are_not_other_sites() -> None:
    # Documentation and intranet references point at the reader's own machine or network.
    for host in ("localhost", "intranet", "10.1.2.3", "192.168.0.1", "127.0.0.1", "[::1]"):
        assert host_info(host).domain == "", host
    assert host_info("103.49.239.135").is_ip
    assert host_info("103.49.239.135").domain == "103.49.239.135"


_URL_CHARS = "/.?#;=&%@:~-_aB9 \t\\[]ä"


@settings(max_examples=2000)
@given(
    base=st.one_of(
        st.sampled_from(
            ["https://a.com/x/y", "http://A.com:80/x?q", "https://a.com", "https://u@a.com/", "HTTP://a.com/"]
        ),
        st.text(alphabet=_URL_CHARS, max_size=20).map(lambda s: "https://a.com" + s),
    ),
    href=st.text(alphabet=_URL_CHARS, max_size=20).map(lambda s: "/" + s),
)
def test_absolute_fast_path_equals_urljoin(base: str, href: str) -> None:
    assume("://" not in href.strip()[:12])  # taken as absolute before any joining
    try:
        expected = urljoin(base, href.strip())
    except ValueError:
        expected = href.strip()
    assert absolute(href, base) == expected

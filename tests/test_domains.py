from __future__ import annotations

from urllib.parse import urljoin

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linkguard._domains import _host_by_urlsplit, absolute, extractor, host_info, page_domain, split_host


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


_URL_PIECES = st.sampled_from(
    [
        *("http", "HTTPS", "a.b+c", "1x", ":", "//", "/", "?", "#", "@", "[::1]", "[", "]", ":80", ".", "-"),
        *("Ex.COM", " ", "\t", "\n", "\x00", "é", "ｅ", "%41", "user:pw@", "www.", "103.4.5.6", "ab"),
    ]
)


@given(st.lists(st.one_of(_URL_PIECES, st.text(max_size=3)), max_size=10).map("".join))
def test_split_host_fast_path_equals_urlsplit(url: str) -> None:
    assert split_host(url) == _host_by_urlsplit(url)


@given(st.sampled_from(["http://", "https://", "//", "x-y.z://"]), st.lists(_URL_PIECES, max_size=8).map("".join))
def test_split_host_fast_path_equals_urlsplit_on_url_shapes(scheme: str, rest: str) -> None:
    assert split_host(scheme + rest) == _host_by_urlsplit(scheme + rest)

from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import Any
from urllib.parse import urljoin

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linkguard import _compiled, _domains
from linkguard._domains import (
    _NO_SITE,
    REDIRECT_HINT,
    _host_by_urlsplit,
    _may_redirect,
    absolute,
    host_info,
    page_domain,
    redirect_target,
    site_name,
    split_host,
)
from linkguard._suffixes import _rules, split_domain


@cache
def _tldextract() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _tldextract_domain(host: str) -> tuple[str, bool]:
    """What host_info's domain and digits were when tldextract split the host (the reference)."""
    parts = _tldextract()(host)
    domain = f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else parts.domain or host
    return domain, any(c.isdigit() for c in parts.domain)


def _same_as_tldextract(host: str) -> None:
    info = host_info(host)
    if info is _NO_SITE or info.is_ip:
        return
    assert (info.domain, info.digits_in_name) == _tldextract_domain(host), host


def test_split_domain() -> None:
    assert split_domain("news.bbc.co.uk") == ("bbc", "co.uk")
    assert split_domain("kampus.ac.id.") == ("kampus", "ac.id")
    assert split_domain("intranet.local") == ("local", "")
    assert split_domain("co.uk") == ("", "co.uk")
    assert split_domain("foo.bar.bd") == ("foo", "bar.bd")  # *.bd
    assert split_domain("www.ck") == ("www", "ck")  # !www.ck
    assert split_domain("a.b.ck") == ("a", "b.ck")
    assert split_domain("xn--fiqs8s.xn--55qx5d.cn")[1] == "xn--55qx5d.cn"  # 公司.cn, punycode


def _rule_host(rule: str) -> str:
    """A host name that a suffix rule lists (its wildcard filled, an exception's ``!`` dropped), in ASCII."""
    base = rule.lstrip("!").replace("*", "zz")
    return base if base.isascii() else base.encode("idna").decode("ascii")


def test_every_suffix_rule_splits_as_tldextract_does() -> None:
    rules, _ = _rules()
    for rule in sorted(rules):
        base = _rule_host(rule)
        for host in (base, f"a1.{base}", f"www.x.{base}", base.partition(".")[2]):
            if host:
                _same_as_tldextract(host.lower())


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abc01-._:[]", min_size=1, max_size=16), st.sampled_from(["", ".com", ".ac.id", ".ck", ".bd"]))
def test_host_split_matches_tldextract(host: str, tail: str) -> None:
    _same_as_tldextract(host + tail)


@cache
def _tldextract_private() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def test_every_private_suffix_rule_splits_as_tldextract_does() -> None:
    """With the private rules counted, :func:`split_domain` splits as tldextract does with them."""
    rules, _ = _rules(private=True)
    for rule in sorted(rules - _rules()[0]):
        base = _rule_host(rule)
        for host in (f"a1.{base}", f"www.x.{base}"):
            parts = _tldextract_private()(host)
            assert split_domain(host, private=True) == (parts.domain, parts.suffix), host


def test_site_name_is_the_name_chosen_on_a_hosting_service() -> None:
    assert site_name("best-essay-writer-online.blogspot.com") == "best-essay-writer-online.blogspot.com"
    assert site_name("my-shop.github.io") == "my-shop.github.io"
    assert site_name("pharmacy.ucsf.edu") == "ucsf.edu"  # an ordinary subdomain: the domain
    assert site_name("news.bbc.co.uk") == "bbc.co.uk"
    assert site_name("blogspot.com") == "blogspot.com"
    assert site_name("103.49.239.135") == site_name("localhost") == site_name("") == ""


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="abc01-._:[]", min_size=1, max_size=16),
    st.sampled_from(["", ".com", ".blogspot.com", ".github.io", ".ac.id", ".cn.com", ".s3.amazonaws.com"]),
)
def test_a_site_name_is_its_domain_or_a_name_under_it(host: str, tail: str) -> None:
    """The name a site's owner chose is never broader than who owns it: the registrable domain, or a
    name ending in it (a blog on a hosting service)."""
    info = host_info(host + tail)
    name = site_name(host + tail)
    if info is _NO_SITE or info.is_ip:
        assert name == ""
    else:
        assert name == info.domain or name.endswith("." + info.domain), (host + tail, name, info.domain)


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


def test_open_redirects_are_judged_by_their_target() -> None:
    cases = {
        "https://www.google.ws/url?sa=t&url=https://amp.fk.example.ac.id/wp-content/p-th/": (
            "https://amp.fk.example.ac.id/wp-content/p-th/"
        ),
        "https://www.google.co.id/url?q=https%3A%2F%2Fslot88.com%2F%3Fref%3D1&sa=D": "https://slot88.com/?ref=1",
        "https://www.google.com/amp/s/www.example.org/news/amp?x=1": "https://www.example.org/news/amp?x=1",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.org%2Fx&h=AT0": "https://example.org/x",
        "https://vk.com/away.php?to=http%3A%2F%2Fslot88.com": "http://slot88.com",
        "https://href.li/?https://example.com/a": "https://example.com/a",
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fa.go.id%2F&data=1": "https://a.go.id/",
        # a redirect inside a redirect
        "https://www.google.com/url?q=https://l.facebook.com/l.php?u=https%3A%2F%2Fx.org%2F": "https://x.org/",
    }
    for url, target in cases.items():
        assert redirect_target(url) == target, url
    for url in (
        "https://example.com/?next=https://elsewhere.org/",  # not a known open redirect
        "https://www.google.com/search?q=https://x.org",  # a search, not a redirect
        "https://www.youtube.com/redirect?q=javascript:alert(1)",  # not an http(s) target
        "https://www.google.com/url?q=https://",  # no host
        "/url?q=https://x.org",  # not absolute
        "http://[::1/url?q=https://x.org",  # unparsable
    ):
        assert redirect_target(url) == url, url


@given(st.text(max_size=200))
def test_redirect_target_is_total_and_needs_its_hint(url: str) -> None:
    out = redirect_target(url)
    assert isinstance(out, str)
    if REDIRECT_HINT.search(url) is None:
        assert out == url


_REDIRECT_PIECES = ["=", "?", "h", "H", "ttp", "TTP", "s", "S", ":", "%3a", "%3A", "/amp/s/", "/", "x"]


@given(st.lists(st.sampled_from(_REDIRECT_PIECES)).map("".join))
def test_redirect_precheck_is_necessary(url: str) -> None:
    """Every link the hint matches passes the cheap test that lets ``redirect_target`` skip the rest."""
    if REDIRECT_HINT.search(url) is not None:
        assert _may_redirect(url)


def _is_ip_by_parsing(host: str) -> bool:
    """What ``_is_ip`` means: an address ``ipaddress`` accepts, or a dotted quad of 1-3 digit parts."""
    h = host.strip("[]")
    try:
        ipaddress.ip_address(h)
    except ValueError:
        return bool(re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", h))
    return True


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789abcdefx.:[]-%٣")), max_size=24))
def test_is_ip_is_what_parsing_says(host: str) -> None:
    assert _domains._is_ip(host) == _is_ip_by_parsing(host)


@pytest.mark.parametrize("host", ["8.8.8.8", "999.1.1.1", "[2001:db8::1]", "::1", "slot88.com", "1password.com", ""])
def test_is_ip_examples(host: str) -> None:
    assert _domains._is_ip(host) == _is_ip_by_parsing(host)


@pytest.mark.skipif(_compiled.core is None, reason="compiled core not built (pure-Python install)")
@given(st.lists(st.sampled_from([*_REDIRECT_PIECES, "amp", "é", "日"])).map("".join))
def test_compiled_redirect_precheck_equals_the_reference(url: str) -> None:
    assert _compiled.core is not None
    assert _compiled.core.may_redirect(url) == _may_redirect(url)

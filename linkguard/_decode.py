"""Bytes to text, and markup detection.

Crawled pages arrive as bytes in whatever encoding the server used, often
mislabelled.  A blind ``utf-8`` decode turns a windows-1251 or Shift-JIS page
into replacement characters, and then every lexicon and script feature is
wrong.  Labels are hints, not facts: HTTP clients report ``iso-8859-1`` when
the server names no charset, and a single-byte codec "decodes" any bytes, so
taking such a label at its word turns a Cyrillic page into mojibake.  The
order here:

1. a byte order mark;
2. valid UTF-8 with non-ASCII text (legacy text practically never is);
3. a declared multi-byte charset (transport hint, then ``<meta charset>``)
   that decodes strictly: those reject bytes that are not theirs;
4. a declared single-byte charset, when the hint and the page agree on it or
   the charset detector finds it plausible;
5. the charset detector (charset-normalizer).
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]{0,100}encoding=["']([A-Za-z0-9_.\-]{1,40})""")

# Labels that browsers map to a superset; decoding with the superset never loses text.
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
}

_SNIFF_BYTES = 4096
_DETECT_BYTES = 65536

_MARKUP = re.compile(
    r"<(?:!doctype|html|head|body|div|p|a|span|br|table|ul|li|meta|title|script|style|"
    r"section|article|footer|header|font|center|h[1-6]|img|marquee|!--)[\s>/]",
    re.IGNORECASE,
)


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares about itself (meta tag or XML declaration)."""
    head = data[:_SNIFF_BYTES]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if m is None:
        return None
    return _codec(m.group(1).decode("ascii", "ignore"))


# Codecs whose byte sequences are checked when decoding strictly; every other (single-byte)
# codec decodes almost anything, so its label alone proves nothing.
_MULTI_BYTE = frozenset(
    """
    utf-8 gb18030 gbk gb2312 hz cp932 shift_jis shift_jis_2004 shift_jisx0213 euc_jp euc_jis_2004
    euc_jisx0213 iso2022_jp cp949 euc_kr johab iso2022_kr big5 big5hkscs cp950
    """.split()
)


# Legacy codecs that real web pages use; a detector's pick outside them is taken only when clearly better.
_WEB_COMMON = frozenset(
    "cp1252 cp1251 cp1250 cp1253 cp1254 cp1255 cp1256 cp1257 cp1258 cp874 koi8_r koi8_u iso8859_2 "
    "gb18030 cp932 euc_jp cp949 big5hkscs".split()
)


def decode(data: bytes, hint: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, encoding_used)``.

    ``hint`` is a transport-level charset (an HTTP header).  It is a hint: when
    the bytes contradict it (valid UTF-8, or a single-byte label the detector
    finds implausible) the bytes win.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name
    candidates: list[str] = []
    hinted = _codec(hint) if hint else None
    declared = declared_charset(data)
    for codec in (hinted, declared):
        # A declared UTF-16/32 without a BOM is almost always a lie in HTML.
        if codec and codec not in candidates and not codec.startswith(("utf-16", "utf-32")):
            candidates.append(codec)
    if data.isascii():
        codec = next((c for c in candidates if _ascii_compatible(c)), "utf-8")
        return data.decode(codec, "replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detection: _Detection | None = None
    for codec in candidates:
        if codec == "utf-8":
            continue
        if codec not in _MULTI_BYTE:
            agreed = hinted is not None and hinted == declared
            if not agreed:
                detection = detection or _detect(data)
                if detection.plausible and codec not in detection.plausible:
                    continue  # the label says one thing, the bytes another
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    detection = detection or _detect(data)
    if detection.best is not None:
        return data.decode(detection.best, "replace"), detection.best
    fallback = candidates[0] if candidates and not candidates[0].startswith("utf-") else "utf-8"
    return data.decode(fallback, "replace"), fallback


def _ascii_compatible(codec: str) -> bool:
    try:
        return "<p>".encode(codec) == b"<p>"
    except (LookupError, UnicodeError):
        return False


class _Detection:
    """What the charset detector makes of some bytes: its pick, and every codec it finds as plausible."""

    __slots__ = ("best", "plausible")

    def __init__(self, best: str | None, plausible: frozenset[str]) -> None:
        self.best = best
        self.plausible = plausible


def _detect(data: bytes) -> _Detection:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - dependency is declared
        return _Detection(None, frozenset())
    results = from_bytes(data[:_DETECT_BYTES])
    best = results.best()
    if best is None:
        return _Detection(None, frozenset())
    plausible: set[str] = set()
    for match in results:
        if match.chaos <= best.chaos + 0.01:
            for label in (match.encoding, *match.could_be_from_charset):
                codec = _codec(label)
                if codec:
                    plausible.add(codec)
    # Short Western text fits cp1250/cp1257/cp1252 equally well; on a tie take what
    # browsers fall back to (windows-1252) rather than the detector's first pick.
    for match in results:
        if match.chaos == best.chaos and match.coherence == best.coherence and "cp1252" in match.could_be_from_charset:
            return _Detection("cp1252", frozenset(plausible))
    # Short text also fits a rare codec (mac-cyrillic) about as well as the common one
    # (windows-1251): when the pick is rare, a common codec that reads it as cleanly wins, when
    # the detector finds it about as coherent or the two read nearly every letter alike (the
    # detector's coherence of a few repeated words can be 0 for one and not the other).
    rare = _codec(best.encoding)
    if rare not in _WEB_COMMON:
        for match in results:
            codec = _codec(match.encoding)
            as_clean = codec in _WEB_COMMON and match.chaos <= best.chaos
            if as_clean and (match.coherence >= 0.5 * best.coherence > 0 or _read_alike(data, codec, rare)):
                return _Detection(codec, frozenset(plausible))
    return _Detection(_codec(best.encoding), frozenset(plausible))


def _read_alike(data: bytes, a: str | None, b: str | None) -> bool:
    """Whether two single-byte codecs read at most 1 in 10 of the non-ASCII bytes differently."""
    if a is None or b is None:
        return False
    sample = data[:_DETECT_BYTES]
    high = sum(1 for byte in sample if byte >= 0x80)
    if not high:
        return True
    try:
        ta, tb = sample.decode(a, "replace"), sample.decode(b, "replace")
    except LookupError:
        return False
    if len(ta) != len(tb):
        return False  # not both single-byte
    return sum(x != y for x, y in zip(ta, tb, strict=True)) <= high / 10


def looks_like_html(text: str) -> bool:
    """Whether a page is markup (``mode="auto"``): any common tag near the start or anywhere."""
    return _MARKUP.search(text, 0, 65536) is not None or _MARKUP.search(text) is not None

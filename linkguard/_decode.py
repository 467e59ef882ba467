"""Bytes to text, and markup detection.

Crawled pages arrive as bytes in whatever encoding the server used, often
mislabelled.  A blind ``utf-8`` decode turns a windows-1251 or Shift-JIS page
into replacement characters, and then every lexicon and script feature is
wrong, so the order here follows what browsers do: BOM, then the declared
charset (only if it really decodes), then UTF-8, then a statistical detector.
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


def decode(data: bytes, hint: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, encoding_used)``.

    ``hint`` is a transport-level charset (an HTTP header), tried after the BOM
    and before the page's own declaration, as browsers do.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name
    candidates: list[str] = []
    for label in (hint, None):
        codec = _codec(label) if label else declared_charset(data)
        if codec and codec not in candidates:
            candidates.append(codec)
    if "utf-8" not in candidates:
        candidates.append("utf-8")
    for codec in candidates:
        # A declared UTF-16/32 without a BOM is almost always a lie in HTML.
        if codec.startswith(("utf-16", "utf-32")):
            continue
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    detected = _detect(data)
    if detected is not None:
        return data.decode(detected, "replace"), detected
    fallback = candidates[0] if not candidates[0].startswith("utf-") else "utf-8"
    return data.decode(fallback, "replace"), fallback


def _detect(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - dependency is declared
        return None
    results = from_bytes(data[:_DETECT_BYTES])
    best = results.best()
    if best is None:
        return None
    # Short Western text fits cp1250/cp1257/cp1252 equally well; on a tie take what
    # browsers fall back to (windows-1252) rather than the detector's first pick.
    for match in results:
        if match.chaos == best.chaos and match.coherence == best.coherence and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return _codec(best.encoding)


def looks_like_html(text: str) -> bool:
    """Whether a page is markup (``mode="auto"``): any common tag near the start or anywhere."""
    return _MARKUP.search(text, 0, 65536) is not None or _MARKUP.search(text) is not None

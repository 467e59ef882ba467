"""A learned text signal: hashed character n-grams scored by a linear model.

Word lists trail the spammers: a new brand, a new market, a new spelling is missed until
someone writes it down.  Character n-grams of the normalised text (``lot g``, ``gaco``,
``togel``, ``百家``, ``หวย``) carry the same evidence without a list, in every script, and a
linear model over them is small and fast.  Its log-odds become one feature of the tree model,
which decides how far to trust it next to structure (links, hiding, position).

The n-grams are hashed into ``2**bits`` buckets with a fixed polynomial hash, computed for a
whole batch of texts with a few numpy operations per n-gram order; digits are folded to ``0``
(``slot88`` and ``slot77`` share their n-grams) and each text is framed by word boundaries.
A text's score is ``bias + sum(weights[bucket]) / sqrt(n_ngrams)``: the same vector the model
was fitted on (counts scaled by the square root of the n-gram count).

A model fitted with ``urls="words"`` reads a URL written in a text as the words of its host
and path (``https://www.youtube.com/watch?v=…`` as ``youtube watch …``), without the
``https://``, ``www.``, ``.com/`` that spam link lists are made of: a reader who pastes a link
is not writing spam, and the link features judge the link itself.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol
from urllib.parse import unquote, urlsplit

import numpy as np

from linkguard import _compiled

ORDERS_DEFAULT = (2, 3, 4, 5)
BITS_DEFAULT = 17
_P = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALTS = [np.uint64((0xC2B2AE3D27D4EB4F * n) & 0xFFFFFFFFFFFFFFFF) for n in range(16)]
_SCORE_CLIP = 12.0
URL_READINGS = ("raw", "words")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_URL_HINT = re.compile(r"https?:|www\.", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}>"
_IP_HOST = re.compile(r"[0-9.]+|\[?[0-9a-f]*:[0-9a-f:.]*\]?")
"""An IPv4 address, or an IPv6 one (it has a colon: ``cafe`` or ``beef`` alone is a name)."""
_TOKEN_SPLIT = re.compile(r"[\W_]+")


def _id_like(token: str) -> bool:
    """A number, a hash or an id (``10903211``, ``a3f9c2e1``, ``x7k2p9q``): no words in it."""
    if token.isdigit() or len(token) > 24:
        return True
    return len(token) >= 7 and any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def _url_as_words(m: re.Match[str]) -> str:
    url = m.group(0).rstrip(_URL_TRAIL)
    tail = m.group(0)[len(url) :]
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = parts.hostname or ""
    except ValueError:
        return " " + tail
    words: list[str] = []
    if not _IP_HOST.fullmatch(host):
        words = [label for label in host.split(".") if label and label != "www"][:-1] or ([host] if host else [])
    path = unquote(f"{parts.path} {parts.query} {parts.fragment}")
    words += [t for t in _TOKEN_SPLIT.split(path) if t and not _id_like(t)]
    return " " + " ".join(words) + " " + tail


def url_words(text: str) -> str:
    """``text`` with every URL in it written as the words of its host (no www, no top-level
    domain) and path (no numbers or ids); an IP address host gives no word."""
    if not _URL_HINT.search(text):
        return text
    return _URL.sub(_url_as_words, text)


def read_urls(texts: Sequence[str], urls: str) -> list[str]:
    """The texts as a model reading URLs ``urls`` sees them."""
    if urls == "words":
        return [url_words(t) for t in texts]
    return texts if isinstance(texts, list) else list(texts)


def hashed_ngrams(
    texts: Sequence[str], bits: int = BITS_DEFAULT, orders: Sequence[int] = ORDERS_DEFAULT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(bucket, owner, n_per_text)``: the hashed n-grams of all texts and which text each is from."""
    n_texts = len(texts)
    empty = np.zeros(0, dtype=np.int64)
    if n_texts == 0:
        return empty, empty, np.zeros(0, dtype=np.int64)
    joined = "\x00" + "\x00".join(texts) + "\x00"
    if joined.count("\x00") != n_texts + 1:  # a NUL inside a text would read as a text boundary
        joined = "\x00" + "\x00".join(t.replace("\x00", " ") for t in texts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    digit = (codes >= 0x30) & (codes <= 0x39)
    codes[digit] = 0x30
    sep = codes == 0
    codes[sep] = 0x20  # a text's frame reads as a word boundary
    space = (codes == 0x20) | (codes == 0x0A) | (codes == 0x09)
    codes[space] = 0x20
    sep_cum = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(sep, dtype=np.int64)))
    space_cum = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(space, dtype=np.int64)))
    buckets: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    shift = np.uint64(64 - bits)
    size = len(codes)
    h = np.zeros(size, dtype=np.uint64)
    for n in range(1, max(orders) + 1):
        m = size - n + 1
        if m <= 0:
            break
        # The hash of the n-gram at i, from the (n-1)-gram at i: one multiply-add per order.
        h = h[:m] * _P + codes[n - 1 : n - 1 + m]
        if n not in orders:
            continue
        # Inside one text (no frame strictly inside the n-gram; frames may open or close it),
        # and not spaces only.
        valid = (sep_cum[n - 1 : n - 1 + m] == sep_cum[1 : 1 + m]) & (space_cum[n : n + m] - space_cum[:m] < n)
        where = np.flatnonzero(valid)
        buckets.append((((h[where] ^ _SALTS[n]) * _MIX) >> shift).astype(np.int64))
        owners.append(sep_cum[where + 1] - 1)
    if not buckets:
        return empty, empty, np.zeros(n_texts, dtype=np.int64)
    bucket = np.concatenate(buckets)
    owner = np.concatenate(owners)
    return bucket, owner, np.bincount(owner, minlength=n_texts)


def text_scores(
    texts: Sequence[str],
    weights: np.ndarray,
    bias: float,
    orders: Sequence[int] = ORDERS_DEFAULT,
) -> np.ndarray:
    """Log-odds of spam for each text (lower-cased, normalised), clipped to +-12."""
    out = np.full(len(texts), float(bias), dtype=np.float64)
    if not texts:
        return out.astype(np.float32)
    bits = int(np.log2(len(weights)))
    bucket, owner, n = hashed_ngrams(texts, bits, orders)
    total = np.bincount(owner, weights=weights[bucket].astype(np.float64), minlength=len(texts))
    out += total / np.sqrt(np.maximum(n, 1))
    return np.clip(out, -_SCORE_CLIP, _SCORE_CLIP).astype(np.float32)


class TextScorer(Protocol):
    """Anything that gives texts a spam log-odds (the fitted model, or a stand-in in tests)."""

    def scores(self, texts: list[str]) -> np.ndarray: ...


class TextModel(NamedTuple):
    """The fitted weights: one per hash bucket, a bias, the n-gram orders hashed, how URLs are read."""

    weights: np.ndarray
    bias: float
    orders: tuple[int, ...] = ORDERS_DEFAULT
    urls: str = "raw"

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return text_scores(read_urls(texts, self.urls), self.weights, self.bias, self.orders)

    def to_dict(self) -> dict[str, Any]:
        # float16 is ample for weights of a linear model and halves the file.
        raw = np.asarray(self.weights, dtype="<f2").tobytes()
        out: dict[str, Any] = {
            "bits": int(np.log2(len(self.weights))),
            "orders": list(self.orders),
            "bias": float(self.bias),
            "weights_f16_base64": base64.b64encode(raw).decode("ascii"),
        }
        if self.urls != "raw":
            out["urls"] = self.urls  # absent in files written before URLs were read as words
        return out

    @classmethod
    def from_dict(cls, data: Any) -> TextModel:
        """Rebuild from :meth:`to_dict` output; raises ``ValueError`` on anything off."""
        if not isinstance(data, dict):
            raise ValueError("text model must be an object")
        bits = data.get("bits")
        orders = data.get("orders")
        if not isinstance(bits, int) or not 8 <= bits <= 24:
            raise ValueError("text model bits must be an integer in [8, 24]")
        if not isinstance(orders, list) or not orders or not all(isinstance(o, int) and 1 <= o <= 8 for o in orders):
            raise ValueError("text model orders must be integers in [1, 8]")
        raw = base64.b64decode(str(data.get("weights_f16_base64", "")), validate=True)
        weights = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        if len(weights) != 2**bits:
            raise ValueError(f"text model has {len(weights)} weights, expected 2**{bits}")
        bias = float(data.get("bias", 0.0))
        if not np.isfinite(weights).all() or not np.isfinite(bias):
            raise ValueError("text model holds non-finite numbers")
        urls = data.get("urls", "raw")
        if urls not in URL_READINGS:
            raise ValueError(f"text model urls must be one of {URL_READINGS}")
        return cls(weights, bias, tuple(orders), urls)


def score_texts(model: TextScorer, texts: list[str]) -> np.ndarray:
    """``model.scores(texts)``, hashed in C for a :class:`TextModel` (the same float32 values)."""
    core = _compiled.core
    if core is None or not texts or not isinstance(model, TextModel) or model.weights.dtype != np.float32:
        return model.scores(texts)
    read = read_urls(texts, model.urls)
    scores: np.ndarray = core.text_scores(read, np.ascontiguousarray(model.weights), model.bias, tuple(model.orders))
    return scores

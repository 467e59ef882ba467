"""Labelled pages for training and evaluation, built deterministically.

Real spam payloads (``payloads/``, each with its source) and authored hard
negatives (``negatives/``) are placed into real pages of the shared corpus
(referenced by path and sha1, never copied) at realistic positions with
realistic hiding.  Everything is split by *group* before any page is built: a
payload's source group and a host page belong to exactly one of train / val /
test, so no payload source and no host page is seen on both sides.

Injected markup carries a ``data-lgi`` attribute so segment labels can be read
back after segmentation; linkguard's features never look at unknown attributes.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html as html_lib
import json
import os
import random
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = Path(os.environ.get("LINKGUARD_CORPUS", HERE.parent / ".." / "shared" / "corpus"))
SEED = 20251125
MARK = "data-lgi"
SPLITS = ("train", "val", "test")
# Pages that hold real spam: kept out of training entirely; they are test cases of their own.
REAL_SPAM_PAGES = frozenset({"trafilatura/silvias.net.wahlzensur.html.gz", "wcxb/0393.html.gz", "wcxb/0548.html.gz"})
HIDINGS = {
    "none": ("", 0.30),
    "display_none": ("display:none", 0.18),
    "offscreen": ("position:absolute;left:-9999px;top:-9999px", 0.14),
    "tiny_box": ("height:1px;width:1px;overflow:hidden", 0.08),
    "font_size_0": ("font-size:0px", 0.06),
    "visibility_hidden": ("visibility:hidden", 0.06),
    "color": ("color:#ffffff;background-color:#ffffff", 0.06),
    "marquee": ("", 0.04),
    "js": ("", 0.08),
}
COMPOSITE_SHARE = 0.3
POSITIONS = {"trailing": 0.30, "end_of_body": 0.18, "footer": 0.16, "top": 0.12, "mid": 0.24}
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'\]\[]+")
_CLOSES_P = re.compile(
    r"<(?:address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|figcaption|figure|footer"
    r"|form|h[1-6]|header|hgroup|hr|main|menu|nav|ol|p|pre|section|summary|table|ul|li|dd|dt|marquee)\b",
    re.IGNORECASE,
)


def _bucket(key: str, parts: int = 10) -> int:
    return int(hashlib.sha1(f"{SEED}:{key}".encode()).hexdigest()[:8], 16) % parts


VAL_FOLD_ENV = "LINKGUARD_VAL_FOLD"
"""Cross-validation: with ``LINKGUARD_VAL_FOLD=k`` set, the train and val groups of every split
below are pooled and the ``k``-th of :data:`CV_FOLDS` parts of them (by hash of the group) is the
validation side; the test side, the held-back payloads and the carved-out pages stay as they are.
:mod:`training_data.crossval` runs one selection per fold this way."""
CV_FOLDS = 5


def val_fold() -> int | None:
    """The cross-validation fold in force (``None``: the standing train / val split)."""
    raw = os.environ.get(VAL_FOLD_ENV, "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) >= CV_FOLDS:
        raise ValueError(f"{VAL_FOLD_ENV} must be a fold number from 0 to {CV_FOLDS - 1}, not {raw!r}")
    return int(raw)


def _cv_split(key: str, split: str) -> str:
    """``split``, or with a cross-validation fold in force, train or val by the key's fold."""
    fold = val_fold()
    if fold is None or split == "test":
        return split
    return "val" if _bucket("fold:" + key, CV_FOLDS) == fold else "train"


EXTRA_TRAIN_ENV = "LINKGUARD_EXTRA_TRAIN"
"""A data change judged on unchanged validation pages: with ``LINKGUARD_EXTRA_TRAIN=DIR[,DIR]``
(folders under ``training_data/``, e.g. ``unseen/batch8`` or ``negatives/real/pending``), the
payload records and the real excerpts in those folders are read as training data of every split
and every cross-validation fold: they join the train side only, never validation or test, so a
run with them and a run without measure the same validation and test pages.  A record whose split
unit is already in the standing data is left out (it would join that unit's side, which may be
validation).  Records of those folders are then training data, so the held-back check leaves them
out too.  :mod:`training_data.crossval` sets it with ``--extra-train``."""
EXTRA_FOLDS_ENV = "LINKGUARD_EXTRA_FOLDS"
"""New data judged on pages of its own kind: with ``LINKGUARD_EXTRA_FOLDS=DIR[,DIR]`` and a
cross-validation fold in force, the payloads and real excerpts of those folders join the folds by
hash of their split unit, as the standing train and val groups do: validation in their own fold,
training in the others.  Only with a fold (``ValueError`` without one): the standing split and the
test side never see them.  What training on a new kind of spam buys shows on the validation pages
of the *other* source groups of that kind; :data:`EXTRA_VAL_ENV` gives the run to compare with."""
EXTRA_VAL_ENV = "LINKGUARD_EXTRA_VAL"
"""The base of :data:`EXTRA_FOLDS_ENV`: the same records on the validation side of their own fold
only, never trained on, so that a run with ``LINKGUARD_EXTRA_FOLDS`` and one with
``LINKGUARD_EXTRA_VAL`` on the same folders measure the same validation pages."""
_EXTRA_ENVS = (EXTRA_TRAIN_ENV, EXTRA_FOLDS_ENV, EXTRA_VAL_ENV)


def _folders(env: str) -> tuple[Path, ...]:
    """The folders the variable ``env`` names (none when unset); raises ``ValueError`` on a folder
    that is not one under ``training_data/``."""
    raw = os.environ.get(env, "")
    out: list[Path] = []
    for name in (part.strip() for part in raw.split(",")):
        if not name:
            continue
        path = (HERE / name).resolve()
        if not path.is_dir() or HERE.resolve() not in path.parents:
            raise ValueError(f"{env}: {name!r} is not a folder under training_data/")
        out.append(path)
    return tuple(out)


def extra_train_dirs() -> tuple[Path, ...]:
    """The folders :data:`EXTRA_TRAIN_ENV` names (none when unset); raises ``ValueError`` on a
    folder that is not one under ``training_data/``."""
    return _folders(EXTRA_TRAIN_ENV)


def _names(dirs: tuple[Path, ...]) -> list[str]:
    return [d.relative_to(HERE.resolve()).as_posix() for d in dirs]


def extra_data_record() -> dict[str, list[str]]:
    """The folders beyond the standing data that a run reads, by role (``extra_train``,
    ``extra_folds``, ``extra_val``; empty ones left out): what a model or a run records."""
    keys = {EXTRA_TRAIN_ENV: "extra_train", EXTRA_FOLDS_ENV: "extra_folds", EXTRA_VAL_ENV: "extra_val"}
    return {keys[env]: names for env in _EXTRA_ENVS if (names := _names(_folders(env)))}


def check_extra_data(*, fold_required: bool = True) -> None:
    """Raise ``ValueError`` when a folder is not one under ``training_data/`` or is named by two
    of the extra-data variables, or (``fold_required``) when fold-only data is asked for without
    a fold."""
    seen: dict[Path, str] = {}
    for env in _EXTRA_ENVS:
        for path in _folders(env):
            if path in seen:
                raise ValueError(f"{path.name!r} is named by both {seen[path]} and {env}")
            seen[path] = env
    if fold_required and (_folders(EXTRA_FOLDS_ENV) or _folders(EXTRA_VAL_ENV)) and val_fold() is None:
        raise ValueError(f"{EXTRA_FOLDS_ENV} and {EXTRA_VAL_ENV} need a cross-validation fold ({VAL_FOLD_ENV})")


def _extra_records(env: str, kind: str) -> list[dict[str, Any]]:
    """Records of the folders ``env`` names that carry the key ``kind``: ``payload`` (payloads),
    ``category`` (real excerpts) or ``page`` (spam pages)."""
    return [
        r for folder in _folders(env) for path in sorted(folder.glob("*.jsonl")) for r in _read_jsonl(path) if kind in r
    ]


_R = TypeVar("_R", "Payload", "Negative", "SpamPage")
"""A collected record: a payload, a real excerpt or a spam page (each has an ``id`` and a ``group``)."""


def _by_id(record: Payload | Negative | SpamPage) -> str:
    return record.id


def _extra(env: str, kind: str, make: Callable[[dict[str, Any]], _R], standing_groups: set[str]) -> list[_R]:
    """Records of the folders ``env`` names that carry the key ``kind``, made by ``make``, whose
    split unit or site the standing records lack (such a record would join that unit's side)."""
    return [r for r in map(make, _extra_records(env, kind)) if r.group not in standing_groups]


def _with_extra(standing: list[_R], kind: str, make: Callable[[dict[str, Any]], _R]) -> list[_R]:
    """``standing`` with the records of the extra-data folders: those of :data:`EXTRA_TRAIN_ENV`,
    then those of :data:`EXTRA_FOLDS_ENV` and :data:`EXTRA_VAL_ENV` by id, so that the validation
    pages of a fold do not depend on how the records are spread over folders (a run may hold some
    of a folder's records back with ``--extra-val`` and read the same pages as one that trains on
    all of them)."""
    check_extra_data()
    groups = {r.group for r in standing}
    fold_only = _extra(EXTRA_FOLDS_ENV, kind, make, groups) + _extra(EXTRA_VAL_ENV, kind, make, groups)
    return standing + _extra(EXTRA_TRAIN_ENV, kind, make, groups) + sorted(fold_only, key=_by_id)


def _extra_keys(env: str) -> frozenset[str]:
    """Split keys (``payload:UNIT``, ``realneg:SITE``, ``spampage:GROUP``) that the folders ``env``
    names bring."""
    raw = os.environ.get(env, "").strip()
    return _extra_keys_of(env, raw) if raw else frozenset()


@functools.lru_cache(maxsize=8)
def _extra_keys_of(env: str, raw: str) -> frozenset[str]:
    """:func:`_extra_keys` for one value of the variable (the split functions ask once per record)."""
    del raw  # the cache key: the folders the variable names
    kinds: tuple[tuple[str, str, Callable[[dict[str, Any]], Any], list[Any]], ...] = (
        ("payload", "payload", _payload, _standing_payloads()),
        ("realneg", "category", _real_negative, _standing_negatives()),
        ("spampage", "page", _spam_page, _standing_spam_pages()),
    )
    return frozenset(
        f"{prefix}:{r.group}"
        for prefix, kind, make, standing in kinds
        for r in _extra(env, kind, make, {x.group for x in standing})
    )


def extra_fold_groups(kind: str = "payload") -> frozenset[str]:
    """Split units of ``kind`` (``payload`` or ``spampage``) brought by :data:`EXTRA_FOLDS_ENV` or
    :data:`EXTRA_VAL_ENV` (their validation pages get figures of their own)."""
    keys = _extra_keys(EXTRA_FOLDS_ENV) | _extra_keys(EXTRA_VAL_ENV)
    return frozenset(k.removeprefix(kind + ":") for k in keys if k.startswith(kind + ":"))


def _extra_side(key: str) -> str | None:
    """The split of a key brought by extra data (``none``: read by no split), ``None`` for a
    standing key."""
    if key in _extra_keys(EXTRA_TRAIN_ENV):
        return "train"
    in_folds, in_val = key in _extra_keys(EXTRA_FOLDS_ENV), key in _extra_keys(EXTRA_VAL_ENV)
    if not (in_folds or in_val):
        return None
    side = _cv_split(key, "train")  # a fold is in force (checked when the records were read)
    return side if in_folds or side == "val" else "none"


def split_of(key: str) -> str:
    """Stable group split: 20 % test, 10 % val, 70 % train (extra data: see :data:`EXTRA_TRAIN_ENV`
    and :data:`EXTRA_FOLDS_ENV`)."""
    if key.startswith("payload:") and (side := _extra_side(key)) is not None:
        return side
    h = _bucket(key)
    return _cv_split(key, "test" if h < 2 else "val" if h == 2 else "train")


CARVED_SHARE = 4
"""Tenths of the corpus pages carved out once, by hash of their path: never a host page in any
split, never seen by training or threshold choice; false alarms on real pages are measured there."""


def host_role(path: str) -> str:
    """``carved`` (never used to build labelled pages) or the split a corpus page hosts in."""
    if _bucket("carve:" + path) < CARVED_SHARE:
        return "carved"
    return split_of("host:" + path)


def real_negative_split(group: str) -> str:
    """Real legitimate excerpts split by source site: 40 % test (they measure false alarms per
    language, so the test side is larger than for payloads), 10 % val, 50 % train (extra training
    data: train)."""
    if (side := _extra_side("realneg:" + group)) is not None:
        return side
    h = _bucket("realneg:" + group)
    return _cv_split("realneg:" + group, "test" if h < 4 else "val" if h == 4 else "train")


@dataclass
class LabelledPage:
    """One page with its ground truth."""

    page: str
    url: str | None
    mode: Literal["html", "text"]
    is_spam: bool
    spam_links: set[str] = field(default_factory=set)
    spam_texts: list[str] = field(default_factory=list)
    family: str = ""
    hiding: str = ""
    position: str = ""
    lang: str = ""
    host_path: str = ""
    payload_group: str = ""
    payload_id: str = ""
    negative_category: str = ""
    spam_lines: set[int] = field(default_factory=set)
    """Text mode: 1-based line numbers of injected lines."""
    kind: str = "clean"
    """``clean``, ``real`` (a real payload injected) or ``composite`` (a recombined link run)."""
    snippet: str = ""
    """The injected markup (HTML) or lines (text) as they stand in ``page``, for re-rendering."""
    neg_lang: str = ""
    """Language of the hard negative placed in a clean page (``""`` when none)."""
    neg_real: bool = False
    """The hard negative is real text from a legitimate site (not authored)."""
    spam_page: bool = False
    """The page itself is spam (its main content), not a legitimate page carrying a payload."""


@dataclass
class Payload:
    id: str
    family: str
    lang: str
    format: str
    payload: str
    hiding: str
    position: str
    group: str


@dataclass
class Negative:
    id: str
    category: str
    lang: str
    format: str
    snippet: str
    group: str = ""
    """Source group (the site a real excerpt comes from); authored negatives are their own group."""
    real: bool = False


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _jsonl(pattern: str) -> Iterator[dict[str, Any]]:
    for path in sorted(HERE.glob(pattern)):
        yield from _read_jsonl(path)


def _head(r: dict[str, Any]) -> tuple[str, str, str, str]:
    """``id, family, lang, format``: how every collected spam record begins."""
    return r["id"], r["family"], r.get("lang", ""), r["format"]


def _group(r: dict[str, Any]) -> str:
    """A record's split unit: one campaign seen from several sources is one group, so it never
    straddles splits."""
    return str(r.get("campaign") or r["source_group"])


def _payload(r: dict[str, Any]) -> Payload:
    return Payload(*_head(r), r["payload"], r.get("hiding", "none"), r.get("position", "unknown"), _group(r))


STANDING_PAYLOADS = "payloads/**/*.jsonl"


def _standing_payloads() -> list[Payload]:
    return [_payload(r) for r in _jsonl(STANDING_PAYLOADS)]


def payloads(pattern: str = STANDING_PAYLOADS) -> list[Payload]:
    """Payload records of ``pattern``; the training payloads (the default) with those of the
    extra training folders (:data:`EXTRA_TRAIN_ENV`) whose split unit the standing ones lack."""
    out = [_payload(r) for r in _jsonl(pattern)]
    return _with_extra(out, "payload", _payload) if pattern == STANDING_PAYLOADS else out


def negatives() -> list[Negative]:
    return [
        Negative(r["id"], r["category"], r.get("lang", ""), r["format"], r["snippet"], r["id"])
        for r in _jsonl("negatives/*.jsonl")
    ]


def _real_negative(r: dict[str, Any]) -> Negative:
    return Negative(
        r["id"], r["category"], r.get("lang", ""), "html", _excerpt_html(r["snippet"]), r["source_group"], True
    )


def _standing_negatives() -> list[Negative]:
    return [_real_negative(r) for r in _jsonl("negatives/real/*.jsonl")]


def real_negatives() -> list[Negative]:
    """Short real excerpts of legitimate text about the spam topics (``negatives/real/``), with
    those of the extra training folders (:data:`EXTRA_TRAIN_ENV`) whose site the standing ones lack."""
    return _with_extra(_standing_negatives(), "category", _real_negative)


def comment_links() -> list[Negative]:
    """Real readers' comments that carry a link (``negatives/comments/``): a forum reply
    pointing to a video, a documentation page, a shortened URL.  Negatives for the links judged
    one by one, whose false alarms on real pages are mostly such comments."""
    return [
        Negative(
            r["id"],
            r["category"],
            r.get("lang", ""),
            "html",
            _comment_html(r["snippet"], r["links"]),
            r["source_group"],
            True,
        )
        for r in _jsonl("negatives/comments/*.jsonl")
    ]


def _comment_html(text: str, links: list[str]) -> str:
    """A real comment as a comment thread's markup, each URL it writes out made a link (as
    comment systems do, ``rel="nofollow ugc"``)."""
    urls = sorted(set(links), key=len, reverse=True)  # the longest first where one extends another
    parts: list[str] = []
    i = 0
    while i < len(text):
        url = next((u for u in urls if u and text.startswith(u, i)), None)
        if url is None:
            parts.append(html_lib.escape(text[i], quote=False))
            i += 1
            continue
        parts.append(f'<a href="{html_lib.escape(url)}" rel="nofollow ugc">{html_lib.escape(url, quote=False)}</a>')
        i += len(url)
    paras = "".join(f"<p>{p.strip()}</p>" for p in "".join(parts).split("\n") if p.strip())
    return (
        '<ol class="comment-list"><li class="comment"><article class="comment-body">'
        f'<div class="comment-content">{paras}</div></article></li></ol>'
    )


def _excerpt_html(text: str) -> str:
    """A real excerpt as the article markup it stands in: one paragraph per line."""
    paras = [html_lib.escape(p.strip(), quote=False) for p in text.split("\n") if p.strip()]
    return '<div class="entry-content">' + "".join(f"<p>{p}</p>" for p in paras) + "</div>"


def data_digest(corpus_dir: Path = DEFAULT_CORPUS) -> str:
    """sha256 over every input file (payloads, negatives, spam pages, held-back payloads, corpus
    manifest): the model's data hash, so a card names exactly the data it was made from."""
    h = hashlib.sha256()
    inputs = [
        p for d in ("payloads", "negatives", "spam_pages", "unseen") for p in sorted(HERE.glob(f"{d}/**/*.jsonl"))
    ]
    for path in inputs:
        h.update(path.relative_to(HERE).as_posix().encode())
        h.update(path.read_bytes())
    manifest = corpus_dir / "manifest.jsonl"
    if manifest.is_file():
        h.update(manifest.read_bytes())
    return h.hexdigest()


def host_pages(corpus_dir: Path = DEFAULT_CORPUS, *, carved: bool = False) -> list[dict[str, Any]]:
    """Corpus manifest rows usable as hosts (no known-spam pages, none of the carved-out pages),
    or with ``carved=True`` only the carved-out ones; sha1-checked when read."""
    rows = []
    with (corpus_dir / "manifest.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["path"] in REAL_SPAM_PAGES:
                continue
            if (host_role(r["path"]) == "carved") == carved:
                rows.append(r)
    return rows


def carved_paths(corpus_dir: Path = DEFAULT_CORPUS) -> list[str]:
    """Corpus pages that no labelled page is built on (see ``CARVED_SHARE``)."""
    return [r["path"] for r in host_pages(corpus_dir, carved=True)]


def read_host(corpus_dir: Path, row: dict[str, Any]) -> str:
    with gzip.open(corpus_dir / row["path"]) as fh:
        data = fh.read()
    if hashlib.sha1(data).hexdigest() != row["sha1"]:
        raise ValueError(f"{row['path']}: sha1 mismatch with the manifest")
    from linkguard._decode import decode

    return decode(data)[0]


# ---------------------------------------------------------------- payload rendering


def _text_to_html(text: str, rng: random.Random) -> str:
    """A text-only payload as the markup it is injected with: URLs become links."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    rendered = []
    for ln in lines:
        esc = html_lib.escape(ln, quote=False)
        esc = _URL.sub(lambda m: f'<a href="{html_lib.escape(m.group(0))}">{m.group(0)}</a>', esc)
        rendered.append(esc)
    if rng.random() < 0.5:
        return "<p>" + "<br>\n".join(rendered) + "</p>"
    return "\n".join(f"<p>{r}</p>" for r in rendered)


def _wrap(inner: str, hiding: str, rng: random.Random) -> str:
    style = HIDINGS[hiding][0]
    tag = rng.choice(("div", "div", "span", "p")) if hiding != "none" else rng.choice(("div", "div", "section"))
    if tag == "p" and _CLOSES_P.search(inner):
        # The parser would close the <p> at the first block inside it, leaving the payload
        # outside its (marked) wrapper.
        tag = "div"
    if hiding == "marquee":
        return f'<marquee {MARK}="1" width="1" height="1">{inner}</marquee>'
    if hiding == "js":
        # Injected as a hidden box that a script toggles; the markup is what a parser sees.
        ident = "d" + "".join(rng.choice("abcdefghijklmnop0123456789") for _ in range(6))
        return (
            f'<div id="{ident}" {MARK}="1">{inner}</div>'
            f"<script>document.getElementById('{ident}').style.display='none';</script>"
        )
    attr = f' style="{style}"' if style else ""
    return f'<{tag} {MARK}="1"{attr}>{inner}</{tag}>'


def _balanced(fragment: str) -> str:
    """A payload re-serialised by the parser, so stray closing tags cannot end its wrapper early."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser("<html><body>" + fragment + "</body></html>")
    # A payload's own <style> rules and short inline hiding scripts are part of the injection;
    # external or long scripts and <noscript> are not what a page reader sees.
    for node in tree.css("script, noscript"):
        if node.tag == "noscript" or "src" in node.attributes or len(node.text(deep=True)) > 20_000:
            node.decompose()
    body = tree.body
    return (body.inner_html or "") if body is not None else ""


def render_payload(p: Payload, rng: random.Random) -> tuple[str, str]:
    """HTML to inject and the hiding used (as found, or chosen when the payload is bare)."""
    inner = _balanced(p.payload) if p.format == "html" else _text_to_html(p.payload, rng)
    own_hiding = p.hiding not in ("none", "unknown", "", "comment", "other")
    if own_hiding and p.format == "html":
        return f'<div {MARK}="1">{inner}</div>', p.hiding
    if p.position == "comment":
        # User-generated spam: a visible comment block in the page's discussion.
        hiding = "none"
        author = rng.choice(("John", "maria88", "Admin", "seo expert", "Budi", "guest"))
        return (
            f'<div class="comment" {MARK}="1"><p class="comment-author">{author}</p>{inner}</div>',
            hiding,
        )
    names = list(HIDINGS)
    weights = [HIDINGS[n][1] for n in names]
    hiding = rng.choices(names, weights)[0]
    return _wrap(inner, hiding, rng), hiding


# ---------------------------------------------------------------- insertion


def _insert(html: str, snippet: str, position: str, rng: random.Random) -> tuple[str, str]:
    low = html.lower()
    if position == "trailing":
        return html.rstrip() + "\n" + snippet + "\n", position
    if position == "footer":
        i = low.rfind("</footer")
        if i != -1:
            return html[:i] + snippet + html[i:], position
        position = "end_of_body"
    if position == "end_of_body":
        i = low.rfind("</body")
        if i == -1:
            return html + snippet, "trailing"
        return html[:i] + snippet + html[i:], position
    if position == "top":
        m = re.search(r"<body[^>]*>", html, re.I)
        if m is None:
            return snippet + html, position
        return html[: m.end()] + snippet + html[m.end() :], position
    # mid: after a paragraph close in the middle of the page
    closes = [m.end() for m in re.finditer(r"</p\s*>", html, re.I)]
    if len(closes) >= 3:
        at = closes[len(closes) // 2 + rng.randint(-len(closes) // 4, len(closes) // 4)]
        return html[:at] + snippet + html[at:], "mid"
    return _insert(html, snippet, "end_of_body", rng)


def payload_shown(page: str, links: Collection[str] = ()) -> bool:
    """Whether the payload placed in ``page`` is markup of the page as a parser builds it: its
    marked element is there, or one of its ``links`` is a link of the page.

    A paragraph close is where a ``mid`` payload goes, and some host pages close paragraphs
    inside a ``<script>`` string, a ``<template>`` or an ``<iframe>``: a payload put there is
    text no reader and no crawler sees, so the page is not injected at all.  In the validation
    and test splits such a page is labelled clean (its payload is inert markup, as a clean page
    may carry), never an injected page no tool could find, and the held-back set leaves it out.
    The training split keeps them as they were, so that the command still writes the bundled
    model: there they add no spam segment, only pages counted as missed when thresholds are
    chosen."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(page)
    if tree.css_first(f"[{MARK}]") is not None:
        return True
    wanted = {h.strip().rstrip("/") for h in links}
    return bool(wanted) and any(
        (a.attributes.get("href") or "").strip().rstrip("/") in wanted for a in tree.css("a[href]")
    )


def _html_truth(snippet: str) -> tuple[set[str], list[str]]:
    """Links and visible texts of an injected snippet, read with linkguard's own segmenter."""
    from linkguard._segment import segment_html

    page = segment_html("<html><body>" + snippet + "</body></html>")
    links: set[str] = set()
    texts = []
    for s in page.segments:
        links.update(x.strip() for x in s.links if x.strip().lower().startswith(("http", "www", "//")))
        if s.text:
            texts.append(s.text)
    return links, texts


def _link_pool(pays: list[Payload]) -> list[tuple[str, str]]:
    """(url, anchor text) pairs from the real payloads of one split."""
    from linkguard._segment import segment_html

    pool: list[tuple[str, str]] = []
    for p in pays:
        if p.format == "html":
            page = segment_html("<html><body>" + p.payload + "</body></html>")
            for m in re.finditer(r"<a\b[^>]*href=[\"']?([^\"' >]+)[^>]*>(.*?)</a>", p.payload, re.I | re.S):
                anchor = " ".join(re.sub(r"<[^>]+>", " ", m.group(2)).split())
                if m.group(1).lower().startswith(("http", "//")) and len(anchor) < 80:
                    pool.append((m.group(1), anchor or m.group(1)))
            del page
        else:
            pool.extend((u, u) for u in _URL.findall(p.payload))
    return pool


def composite_payload(pool: list[tuple[str, str]], rng: random.Random) -> tuple[str, str]:
    """A link-run payload recombined from real spam links and anchors of the same split.

    Real injections are mostly runs of links, bare or as anchor text, sometimes
    followed by short brand lines; recombining real links teaches that shape
    without repeating any one payload.
    """
    n = rng.randint(3, min(40, max(3, len(pool))))
    picks = rng.sample(pool, min(n, len(pool)))
    bare = rng.random() < 0.4
    sep = rng.choice((" ", "\n", "<br>", " | ", ", "))
    links = sep.join(f'<a href="{html_lib.escape(u)}">{html_lib.escape(u if bare else a)}</a>' for u, a in picks)
    tags = rng.choice((("p", "p"), ("div", "div"), ("li", "ul")))
    if tags[0] == "li":
        body = (
            "<ul>"
            + "".join(f'<li><a href="{html_lib.escape(u)}">{html_lib.escape(a)}</a></li>' for u, a in picks)
            + "</ul>"
        )
    else:
        body = f"<{tags[0]}>{links}</{tags[0]}>"
    if rng.random() < 0.4:
        extra = rng.sample(pool, min(rng.randint(1, 6), len(pool)))
        body += "".join(f"<div>{html_lib.escape(a.split('/')[-1] or a)}</div>" for _, a in extra)
    return body, "composite"


def _host_text_lines(html: str) -> list[str]:
    """A host page as a crawler text dump: one line per block, like a WET record."""
    from linkguard._segment import segment_html

    return [s.text.replace("\n", " ") for s in segment_html(html).segments if s.text and not s.hidden]


def host_text(html: str) -> str:
    """A host page as the text dump its clean text-mode labelled page is (:func:`_host_text_lines`, one
    line each)."""
    return "\n".join(_host_text_lines(html)) + "\n"


def _payload_text_lines(p: Payload, rng: random.Random) -> list[str]:
    if p.format == "text":
        return [" ".join(ln.split()) for ln in p.payload.splitlines() if ln.strip()]
    _, texts = _html_truth(p.payload)
    lines: list[str] = []
    for t in texts:
        lines.extend(x for x in t.split("\n") if x.strip())
    return lines


def _negative_text_lines(n: Negative, host_url: str | None) -> list[str]:
    """A hard negative as lines of a text dump (HTML negatives through linkguard's segmenter)."""
    if n.format == "text":
        return [" ".join(x.split()) for x in n.snippet.splitlines() if x.strip()]
    _, texts = _html_truth(_fill_host(n.snippet, host_url))
    return [" ".join(x.split()) for t in texts for x in t.split("\n") if x.strip()]


def _fill_host(snippet: str, host_url: str | None) -> str:
    host = "www.example.org"
    if host_url:
        m = re.match(r"https?://([^/]+)", host_url)
        if m:
            host = m.group(1)
    return snippet.replace("{HOST}", host)


def build_split(split: str, corpus_dir: Path = DEFAULT_CORPUS, *, variants: int | None = None) -> list[LabelledPage]:
    """All labelled pages of one split (``train``, ``val`` or ``test``), deterministic."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    rng = random.Random(f"{SEED}:{split}")
    pays = [p for p in payloads() if split_of("payload:" + p.group) == split]
    negs = [n for n in negatives() if split_of("neg:" + n.id) == split and n.format == "html"]
    neg_texts = [n for n in negatives() if split_of("neg:" + n.id) == split and n.format == "text"]
    hosts = [r for r in host_pages(corpus_dir) if host_role(r["path"]) == split]
    if variants is None:
        # Held-out splits get more placements per host: they have few hosts (a third of the corpus
        # is carved out), and every payload should be seen on several of them.
        variants = 3 if split == "train" else 4
    out: list[LabelledPage] = []
    if not pays:
        return out
    # Cycle payloads so each is used about equally, whatever the host count.
    order = pays[:]
    rng.shuffle(order)
    pool = _link_pool(pays)
    k = 0
    for row in hosts:
        try:
            host = read_host(corpus_dir, row)
        except (OSError, ValueError):
            continue
        url = row.get("url")
        lang = row.get("lang") or ""
        # 1. the clean page (maybe with a hard negative placed in it)
        clean = host
        neg_cat = neg_lang = ""
        if negs and rng.random() < 0.6:
            neg = rng.choice(negs)
            clean, _ = _insert(
                host, _fill_host(neg.snippet, url), rng.choice(["mid", "end_of_body", "top", "footer"]), rng
            )
            neg_cat, neg_lang = neg.category, neg.lang
        out.append(
            LabelledPage(
                clean,
                url,
                "html",
                False,
                lang=lang,
                host_path=row["path"],
                negative_category=neg_cat,
                neg_lang=neg_lang,
            )
        )
        host_lines = _host_text_lines(host)
        neg_cat = neg_lang = ""
        if (neg_texts or negs) and rng.random() < 0.5:
            # A text dump holds the same look-alikes as HTML pages do: any negative, as lines.
            nt = rng.choice(neg_texts + negs)
            at = rng.randint(0, len(host_lines))
            host_lines = host_lines[:at] + _negative_text_lines(nt, url) + host_lines[at:]
            neg_cat, neg_lang = nt.category, nt.lang
        out.append(
            LabelledPage(
                "\n".join(host_lines) + "\n",
                url,
                "text",
                False,
                lang=lang,
                host_path=row["path"],
                negative_category=neg_cat,
                neg_lang=neg_lang,
            )
        )
        # 2. injected variants
        for v in range(variants):
            p = order[k % len(order)]
            k += 1
            if pool and rng.random() < COMPOSITE_SHARE:
                body, _ = composite_payload(pool, rng)
                p = Payload(f"composite-{k}", "composite", "", "html", body, "none", "unknown", "composite")
            snippet, hiding = render_payload(p, rng)
            if p.position == "comment":
                position = "mid"
            else:
                position = rng.choices(list(POSITIONS), list(POSITIONS.values()))[0]
            base = host
            if negs and rng.random() < 0.3:
                base, _ = _insert(host, _fill_host(rng.choice(negs).snippet, url), "mid", rng)
            page, where = _insert(base, snippet, position, rng)
            links, texts = _html_truth(snippet)
            if not links and not texts:
                # Script-only payloads (fetch/innerHTML loaders) render nothing a page reader sees.
                continue
            common: dict[str, Any] = dict(
                family=p.family,
                hiding=hiding,
                lang=p.lang or lang,
                host_path=row["path"],
                payload_group=p.group,
                payload_id=p.id,
            )
            kind = "composite" if p.family == "composite" else "real"
            if split == "train" or payload_shown(page, links):
                # The training pages stay as the bundled model was fitted on them (such pages
                # add no spam segment there; they count only as pages missed).
                out.append(
                    LabelledPage(
                        page, url, "html", True, links, texts, position=where, kind=kind, snippet=snippet, **common
                    )
                )
            else:  # the same draws either way, so every later page stays as it was
                out.append(
                    LabelledPage(
                        page,
                        url,
                        "html",
                        False,
                        lang=lang,
                        host_path=row["path"],
                        payload_group=p.group,
                        payload_id=p.id,
                    )
                )
            if v == 0:
                # the same injection as a text dump (WET-like), trailing or mid
                lines = _payload_text_lines(p, rng)
                if not lines:
                    continue
                tpos = "trailing" if rng.random() < 0.7 or p.position == "trailing" else "mid"
                at = (
                    len(host_lines)
                    if tpos == "trailing"
                    else rng.randint(len(host_lines) // 3, max(len(host_lines) // 3, 2 * len(host_lines) // 3))
                )
                all_lines = host_lines[:at] + lines + host_lines[at:]
                spam_lines = set(range(at + 1, at + len(lines) + 1))
                tlinks = {u.rstrip(".,;:)]}!?") for ln in lines for u in _URL.findall(ln)}
                out.append(
                    LabelledPage(
                        "\n".join(all_lines) + "\n",
                        url,
                        "text",
                        True,
                        tlinks,
                        lines,
                        position=tpos,
                        spam_lines=spam_lines,
                        kind=kind,
                        snippet="\n".join(lines),
                        **{**common, "hiding": "none"},
                    )
                )
    out.extend(_about_topic_pages(split, hosts, corpus_dir))
    out.extend(_comment_link_pages(split, hosts, corpus_dir))
    return out


ABOUT_TOPIC_HOSTS = 2
"""Host pages each real about-the-topic excerpt is placed in (as HTML and as a text dump)."""


def _about_topic_pages(split: str, hosts: list[dict[str, Any]], corpus_dir: Path) -> list[LabelledPage]:
    """Clean pages whose main text is a real excerpt about a spam topic (a raid on a gambling
    ring, a drug reference, a hacked-site warning): what a detector must leave alone."""
    return _excerpt_pages(
        real_negatives(),
        split,
        hosts,
        corpus_dir,
        "about-topic",
        lambda n: dict(negative_category=n.category, neg_lang=n.lang, neg_real=True, payload_id=n.id),
    )


def _comment_link_pages(split: str, hosts: list[dict[str, Any]], corpus_dir: Path) -> list[LabelledPage]:
    """Clean pages with a real reader's comment that carries a link, placed where the comment-spam
    payloads go (``mid``), so that only what the comment and its link say tells them apart."""
    return _excerpt_pages(
        comment_links(),
        split,
        hosts,
        corpus_dir,
        "comment-link",
        lambda n: dict(negative_category=n.category, kind="comment_link", payload_id=n.id),
    )


def _excerpt_pages(
    excerpts: list[Negative],
    split: str,
    hosts: list[dict[str, Any]],
    corpus_dir: Path,
    tag: str,
    labels: Callable[[Negative], dict[str, Any]],
) -> list[LabelledPage]:
    """Each real excerpt of ``split`` (by its site) in the middle of ``ABOUT_TOPIC_HOSTS`` host
    pages, as HTML and as a text dump: clean pages, with ``labels(excerpt)`` as their fields."""
    rng = random.Random(f"{SEED}:{split}:{tag}")
    negs = [n for n in excerpts if real_negative_split(n.group) == split]
    out: list[LabelledPage] = []
    if not negs or not hosts:
        return out
    cache: dict[str, tuple[str, list[str]]] = {}
    for neg in negs:
        for row in rng.sample(hosts, min(ABOUT_TOPIC_HOSTS, len(hosts))):
            if row["path"] not in cache:
                try:
                    host = read_host(corpus_dir, row)
                except (OSError, ValueError):
                    continue
                cache[row["path"]] = (host, _host_text_lines(host))
            host, host_lines = cache[row["path"]]
            url = row.get("url")
            common: dict[str, Any] = dict(lang=row.get("lang") or "", host_path=row["path"], **labels(neg))
            page, _ = _insert(host, neg.snippet, "mid", rng)
            out.append(LabelledPage(page, url, "html", False, **common))
            lines = _negative_text_lines(neg, url)
            at = rng.randint(len(host_lines) // 3, max(len(host_lines) // 3, 2 * len(host_lines) // 3))
            text = "\n".join(host_lines[:at] + lines + host_lines[at:]) + "\n"
            out.append(LabelledPage(text, url, "text", False, **common))
    return out


def segment_labels(lp: LabelledPage, page: object) -> list[bool]:
    """Ground truth per segment of a segmented :class:`LabelledPage` (training only)."""
    segs = page.segments  # type: ignore[attr-defined]
    if not lp.is_spam:
        return [False] * len(segs)
    if lp.mode == "text":
        labels = []
        for s in segs:
            line = int(s.path.split()[1]) if s.path.startswith("line ") else -1
            labels.append(line in lp.spam_lines)
        return labels
    out = []
    for s in segs:
        node = s.whole_block if s.whole_block is not None else (s.nodes[0] if s.nodes else None)
        marked = False
        depth = 0
        while node is not None and depth < 10_000:
            if node.is_element_node and MARK in node.attrs:
                marked = True
                break
            node = node.parent
            depth += 1
        out.append(marked)
    return out


def build_unseen(corpus_dir: Path = DEFAULT_CORPUS, *, hosts_per_payload: int = 2) -> list[LabelledPage]:
    """Payloads kept out of training (``unseen/``) injected into test-split host pages.

    A check on material the model never saw in any form: not its payloads, not their source
    groups' siblings in training (groups shared with training data are skipped), not its hosts.
    Each payload draws its hosts, rendering and position from a random stream of its own, so a
    payload added to (or trained on and so left out of) the held-back set changes no other page.
    """
    trained_groups = {p.group for p in payloads()}
    pays = [p for p in payloads("unseen/**/*.jsonl") if p.group not in trained_groups]
    hosts = [r for r in host_pages(corpus_dir) if host_role(r["path"]) == "test"]
    out: list[LabelledPage] = []
    for p in pays:
        rng = random.Random(f"{SEED}:unseen:{p.id}")
        for row in rng.sample(hosts, min(hosts_per_payload, len(hosts))):
            host = read_host(corpus_dir, row)
            snippet, hiding = render_payload(p, rng)
            position = "mid" if p.position == "comment" else rng.choices(list(POSITIONS), list(POSITIONS.values()))[0]
            page, where = _insert(host, snippet, position, rng)
            links, texts = _html_truth(snippet)
            if (not links and not texts) or not payload_shown(page, links):
                continue
            out.append(
                LabelledPage(
                    page,
                    row.get("url"),
                    "html",
                    True,
                    links,
                    texts,
                    family=p.family,
                    hiding=hiding,
                    position=where,
                    lang=p.lang,
                    host_path=row["path"],
                    payload_group=p.group,
                    payload_id=p.id,
                    kind="real",
                    snippet=snippet,
                )
            )
    return out


# ---------------------------------------------------------------- whole pages (the page verdict)


@dataclass
class SpamPage:
    """A real page that is itself spam (``spam_pages/``): whole HTML, or the text a crawler kept."""

    id: str
    family: str
    lang: str
    format: str
    page: str
    url: str | None
    group: str
    complete: bool
    host_kind: str


def _spam_page(r: dict[str, Any]) -> SpamPage:
    return SpamPage(
        *_head(r), r["page"], r.get("url"), _group(r), bool(r.get("complete", True)), r.get("host_kind", "unknown")
    )


def _standing_spam_pages() -> list[SpamPage]:
    return [_spam_page(r) for r in _jsonl("spam_pages/*.jsonl")]


def spam_pages() -> list[SpamPage]:
    """The real spam pages (``spam_pages/``), with those of the extra-data folders whose source
    group the standing ones lack (:data:`EXTRA_TRAIN_ENV`, and by id those of
    :data:`EXTRA_FOLDS_ENV` and :data:`EXTRA_VAL_ENV`)."""
    return _with_extra(_standing_spam_pages(), "page", _spam_page)


def spam_page_split(group: str) -> str:
    """Spam pages split by source group: 40 % test (the page verdict's recall is measured there),
    10 % val, 50 % train (extra data: see :data:`EXTRA_TRAIN_ENV` and :data:`EXTRA_FOLDS_ENV`)."""
    if (side := _extra_side("spampage:" + group)) is not None:
        return side
    h = _bucket("spampage:" + group)
    return _cv_split("spampage:" + group, "test" if h < 4 else "val" if h == 4 else "train")


_PARA = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"(<title\b[^>]*>)(.*?)(</title\s*>)", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"(<h1\b[^>]*>)(.*?)(</h1\s*>)", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def _template_page(host: str, paragraphs: list[str], title: str) -> str | None:
    """``host`` with its article replaced: the long paragraphs removed, ``paragraphs`` in place of
    the first, ``title`` as its ``<title>`` and first ``<h1>``.  The template (head, navigation,
    sidebars, footer) stays: a page planted on a hacked site wears that site's theme."""
    spans = [m.span() for m in _PARA.finditer(host) if len(_TAGS.sub("", m.group(1)).strip()) >= 60]
    if len(spans) < 2:
        return None
    body = "".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)
    parts, pos = [], 0
    for i, (a, b) in enumerate(spans):
        parts.append(host[pos:a])
        if i == 0:
            parts.append(body)
        pos = b
    parts.append(host[pos:])
    page = "".join(parts)
    safe = html_lib.escape(title, quote=False)
    page = _TITLE.sub(lambda m: m.group(1) + safe + m.group(3), page, count=1)
    return _H1.sub(lambda m: m.group(1) + safe + m.group(3), page, count=1)


def _text_template(host_lines: list[str], lines: list[str]) -> str:
    """A text dump of a host page with its long lines (the article) replaced by ``lines``."""
    keep = [i for i, ln in enumerate(host_lines) if len(ln) < 200]
    first = next((i for i, ln in enumerate(host_lines) if len(ln) >= 200), len(host_lines) // 2)
    before = [host_lines[i] for i in keep if i < first]
    after = [host_lines[i] for i in keep if i > first]
    return "\n".join(before + lines + after) + "\n"


def _page_lines(p: SpamPage) -> list[str]:
    if p.format == "html":
        return _host_text_lines(p.page)
    return [" ".join(ln.split()) for ln in p.page.splitlines() if ln.strip()]


def build_page_split(
    split: str, corpus_dir: Path = DEFAULT_CORPUS, *, template_hosts: int | None = None, real_only: bool = False
) -> list[LabelledPage]:
    """Pages labelled for the page verdict (``kind``):

    - ``spam_page_real``: real spam pages, whole HTML as collected, and as text dumps (the
      HTML pages rendered to lines, and the text a crawler kept of the others);
    - ``spam_page_template``: the text of real spam pages as the article of a host page of the
      split (recombined material, reported apart);
    - ``about_page``: clean pages whose article is real excerpts about the spam topics in one
      language, on a host page of the split.

    Clean and injected pages come from :func:`build_split`.  ``real_only``: the real spam pages
    alone (no host page is read).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    # Each page draws from a random stream of its own (the spam page's id, the host page, the
    # lead excerpt): a page added to the data changes no other page, so a grown split is the
    # old one plus the new pages, and figures before and after compare page for page.
    if template_hosts is None:
        template_hosts = 3 if split == "train" else 2
    if real_only:
        template_hosts = 0
    hosts = [r for r in host_pages(corpus_dir) if host_role(r["path"]) == split]
    cache: dict[str, tuple[str, list[str]]] = {}

    def host(row: dict[str, Any]) -> tuple[str, list[str]] | None:
        if row["path"] not in cache:
            try:
                html = read_host(corpus_dir, row)
            except (OSError, ValueError):
                return None
            cache[row["path"]] = (html, _host_text_lines(html))
        return cache[row["path"]]

    out: list[LabelledPage] = []
    # ``format: code``: the server or edge code of a cloaking kit (PHP, a worker script), which
    # no crawler receives; kept with its source as evidence of how cloaking works, it makes no
    # labelled page (as payloads that render nothing make none).
    for sp in (p for p in spam_pages() if spam_page_split(p.group) == split and p.format != "code"):
        common: dict[str, Any] = dict(
            family=sp.family, lang=sp.lang, payload_group=sp.group, payload_id=sp.id, spam_page=True
        )
        lines = _page_lines(sp)
        if sp.format == "html" and sp.complete:
            out.append(LabelledPage(sp.page, sp.url, "html", True, kind="spam_page_real", position="whole", **common))
        if lines:
            # ``crawler_text``: the start of a page's text as a crawler kept it, without the site's
            # navigation or footer; ``rendered``: a whole HTML page as a text dump.
            where = "rendered" if sp.format == "html" else "crawler_text"
            out.append(
                LabelledPage(
                    "\n".join(lines) + "\n", sp.url, "text", True, kind="spam_page_real", position=where, **common
                )
            )
        if len(lines) < 2 or not hosts:
            continue
        title = lines[0][:90]
        pick = random.Random(f"{SEED}:{split}:template:{sp.id}")
        for row in pick.sample(hosts, min(template_hosts, len(hosts))):
            got = host(row)
            if got is None:
                continue
            html, host_lines = got
            page = _template_page(html, lines[1:] or lines, title)
            if page is not None:
                out.append(
                    LabelledPage(
                        page, row.get("url"), "html", True, kind="spam_page_template", host_path=row["path"], **common
                    )
                )
            text = _text_template(host_lines, lines)
            out.append(
                LabelledPage(
                    text, row.get("url"), "text", True, kind="spam_page_template", host_path=row["path"], **common
                )
            )
    if real_only:
        return out
    # Short clean pages: a host's title and its first paragraphs, or its first lines as text, and
    # a real excerpt about a spam topic alone.  Crawls are full of short pages; without them a
    # page model learns that a short document is a spam page.
    for row in hosts:
        got = host(row)
        if got is None:
            continue
        html, host_lines = got
        rng = random.Random(f"{SEED}:{split}:short:{row['path']}")
        found = _TITLE.search(html)
        title = _TAGS.sub("", found.group(2) if found else "").strip()[:120]
        paras = [_TAGS.sub("", m.group(1)).strip() for m in _PARA.finditer(html)]
        paras = [html_lib.unescape(" ".join(p.split())) for p in paras if len(p.strip()) >= 40][: rng.randint(1, 3)]
        common = dict(lang=row.get("lang") or "", host_path=row["path"])
        if paras:
            body = "".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paras)
            page = f"<html><head><title>{html_lib.escape(title, quote=False)}</title></head><body>{body}</body></html>"
            out.append(LabelledPage(page, row.get("url"), "html", False, kind="short_page", **common))
        lines = host_lines[: rng.randint(1, 5)]
        if lines:
            out.append(
                LabelledPage("\n".join(lines) + "\n", row.get("url"), "text", False, kind="short_page", **common)
            )
    by_lang: dict[str, list[Negative]] = {}
    for n in real_negatives():
        if real_negative_split(n.group) == split:
            by_lang.setdefault(n.lang, []).append(n)
    for lang, negs in sorted(by_lang.items()):
        for lead in negs:
            others = [n for n in negs if n is not lead]
            rng = random.Random(f"{SEED}:{split}:about:{lead.id}")
            picks = [lead, *rng.sample(others, min(len(others), rng.randint(1, 3)))]
            paragraphs = [_TAGS.sub("", m.group(1)) for n in picks for m in _PARA.finditer(n.snippet)]
            paragraphs = [html_lib.unescape(p) for p in paragraphs if p.strip()]
            if not paragraphs or not hosts:
                continue
            row = rng.choice(hosts)
            got = host(row)
            if got is None:
                continue
            html, host_lines = got
            common = dict(
                lang=lang,
                host_path=row["path"],
                negative_category=lead.category,
                neg_lang=lang,
                neg_real=True,
                payload_id=lead.id,
            )
            page = _template_page(html, paragraphs, paragraphs[0][:90])
            if page is not None:
                out.append(LabelledPage(page, row.get("url"), "html", False, kind="about_page", **common))
            if rng.random() < 0.5:
                # ... and (for about half of them) the lead excerpt alone, as a short page.
                alone = [_TAGS.sub("", m.group(1)) for m in _PARA.finditer(lead.snippet)]
                body = "".join(f"<p>{p}</p>" for p in alone)
                out.append(
                    LabelledPage(f"<html><body>{body}</body></html>", None, "html", False, kind="about_page", **common)
                )
            out.append(
                LabelledPage(
                    _text_template(host_lines, paragraphs), row.get("url"), "text", False, kind="about_page", **common
                )
            )
    return out


# ---------------------------------------------------------------- one planted link among real ones

_ANCHOR_END = re.compile(r"</a\s*>", re.IGNORECASE)


def build_single_link_pages(split: str, corpus_dir: Path = DEFAULT_CORPUS) -> list[LabelledPage]:
    """Host pages of ``split`` with one spam link dropped into a run of their own links.

    The spam link (a real anchor and target from the split's payloads) follows one of the
    page's links that has two more within a few hundred characters before it: a navigation
    row, a footer column, a credit line.  Only that link is spam; its segment is mostly
    legitimate, so these pages measure (and teach) judging links one by one.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    rng = random.Random(f"{SEED}:{split}:single-link")
    pool = [(u, a) for u, a in _link_pool([p for p in payloads() if split_of("payload:" + p.group) == split])]
    pool = [(u, a) for u, a in pool if u.lower().startswith(("http://", "https://"))]
    out: list[LabelledPage] = []
    if not pool:
        return out
    for row in (r for r in host_pages(corpus_dir) if host_role(r["path"]) == split):
        try:
            html = read_host(corpus_dir, row)
        except (OSError, ValueError):
            continue
        ends = [m.end() for m in _ANCHOR_END.finditer(html)]
        runs = [e for i, e in enumerate(ends) if i >= 2 and e - ends[i - 2] < 600]
        if not runs:
            continue
        at = rng.choice(runs)
        url, anchor = rng.choice(pool)
        link = f' <a href="{html_lib.escape(url)}" {MARK}="1">{html_lib.escape(anchor)}</a>'
        out.append(
            LabelledPage(
                html[:at] + link + html[at:],
                row.get("url"),
                "html",
                True,
                {url},
                [],
                family="single_link",
                host_path=row["path"],
                kind="single_link",
                lang=row.get("lang") or "",
            )
        )
    return out

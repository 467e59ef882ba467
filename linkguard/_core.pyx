# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled scanning core: pre-parse checks, the walk over lexbor's own tree, link tables,
text statistics and word-list hits, tree scoring.

Each function here has a pure-Python reference that defines what it must return
(``_html``, ``_hiding``, ``_segment``, ``_features``, ``_lexicon``, ``_normalize``, ``_model``);
the tests hold the two equal.  The
walk reads lexbor's C structures straight from the parser selectolax built, so there is
one copy of lexbor in the process and no Python object per node.  Rare and intricate
cases (a tail after ``</html>``, a page that needs flattening, non-ASCII style values,
invalid UTF-8) are handed to the reference functions rather than re-implemented.

Every buffer grows through ``_Buf``/``_grow`` with its length checked; pointers into the
parse tree are only followed while the tree is alive (the segments hold its parser).
"""

cimport cython
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_DECREF
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t, uintptr_t
from libc.string cimport memchr, memcmp, memcpy, memset
from selectolax.lexbor cimport (
    LXB_DOM_NODE_TYPE_ELEMENT,
    LXB_DOM_NODE_TYPE_TEXT,
    LXB_TAG__TEXT,
    LexborHTMLParser,
    LexborNode,
    lxb_dom_attr_t,
    lxb_dom_character_data_t,
    lxb_dom_node_t,
)

import dataclasses

import numpy as np

from linkguard import _hiding, _html, _segment
from linkguard._segment import Page, RawSegment

cdef extern from "Python.h":
    ctypedef unsigned char Py_UCS1
    ctypedef unsigned short Py_UCS2
    int PyUnicode_KIND(object o)
    void *PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    int PyUnicode_1BYTE_KIND
    int PyUnicode_2BYTE_KIND
    ctypedef struct PyMemberDef:
        pass
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member
    int PyMember_SetOne(char *addr, PyMemberDef *member, object value) except -1
    PyObject *PyType_GenericAlloc(PyTypeObject *type, Py_ssize_t nitems)

cdef extern from "lexbor/core/hash.h" nogil:
    ctypedef struct lexbor_hash_entry_t:
        size_t length
    unsigned char *lexbor_hash_entry_str(const lexbor_hash_entry_t *entry)

cdef extern from "lexbor/dom/interfaces/attr.h" nogil:
    ctypedef struct lxb_dom_attr_data_t:
        lexbor_hash_entry_t entry

cdef extern from "lexbor/dom/interfaces/attr_const.h" nogil:
    enum:
        LXB_DOM_ATTR_CLASS
        LXB_DOM_ATTR_CONTENT
        LXB_DOM_ATTR_HEIGHT
        LXB_DOM_ATTR_HTTP_EQUIV
        LXB_DOM_ATTR_HREF
        LXB_DOM_ATTR_ID
        LXB_DOM_ATTR_SRC
        LXB_DOM_ATTR_STYLE
        LXB_DOM_ATTR_WIDTH
        LXB_DOM_ATTR__LAST_ENTRY

cdef extern from "lexbor/dom/interfaces/element.h" nogil:
    ctypedef struct lg_element_t "lxb_dom_element_t":
        lxb_dom_node_t node
        uintptr_t qualified_name
        lxb_dom_attr_t *first_attr

cdef extern from "lexbor/tag/const.h" nogil:
    enum:
        LXB_TAG__LAST_ENTRY
        LXB_TAG_A
        LXB_TAG_ADDRESS
        LXB_TAG_AREA
        LXB_TAG_ARTICLE
        LXB_TAG_ASIDE
        LXB_TAG_AUDIO
        LXB_TAG_BASE
        LXB_TAG_BLOCKQUOTE
        LXB_TAG_BODY
        LXB_TAG_BR
        LXB_TAG_BUTTON
        LXB_TAG_CANVAS
        LXB_TAG_CAPTION
        LXB_TAG_CENTER
        LXB_TAG_DD
        LXB_TAG_DETAILS
        LXB_TAG_DIALOG
        LXB_TAG_DIR
        LXB_TAG_DIV
        LXB_TAG_DL
        LXB_TAG_DT
        LXB_TAG_EMBED
        LXB_TAG_FIELDSET
        LXB_TAG_FIGCAPTION
        LXB_TAG_FIGURE
        LXB_TAG_FOOTER
        LXB_TAG_FORM
        LXB_TAG_FRAME
        LXB_TAG_FRAMESET
        LXB_TAG_H1
        LXB_TAG_H2
        LXB_TAG_H3
        LXB_TAG_H4
        LXB_TAG_H5
        LXB_TAG_H6
        LXB_TAG_HEAD
        LXB_TAG_HEADER
        LXB_TAG_HGROUP
        LXB_TAG_HR
        LXB_TAG_HTML
        LXB_TAG_IFRAME
        LXB_TAG_IMG
        LXB_TAG_INPUT
        LXB_TAG_LEGEND
        LXB_TAG_LI
        LXB_TAG_LINK
        LXB_TAG_MAIN
        LXB_TAG_MAP
        LXB_TAG_MARQUEE
        LXB_TAG_MATH
        LXB_TAG_MENU
        LXB_TAG_META
        LXB_TAG_NAV
        LXB_TAG_NOSCRIPT
        LXB_TAG_OBJECT
        LXB_TAG_OL
        LXB_TAG_OPTION
        LXB_TAG_P
        LXB_TAG_PARAM
        LXB_TAG_PRE
        LXB_TAG_SCRIPT
        LXB_TAG_SECTION
        LXB_TAG_SELECT
        LXB_TAG_SOURCE
        LXB_TAG_STYLE
        LXB_TAG_SUMMARY
        LXB_TAG_SVG
        LXB_TAG_TABLE
        LXB_TAG_TBODY
        LXB_TAG_TD
        LXB_TAG_TEMPLATE
        LXB_TAG_TEXTAREA
        LXB_TAG_TFOOT
        LXB_TAG_TH
        LXB_TAG_THEAD
        LXB_TAG_TITLE
        LXB_TAG_TR
        LXB_TAG_TRACK
        LXB_TAG_UL
        LXB_TAG_VIDEO

cdef extern from *:
    """
    #ifndef LINKGUARD_SELECTOLAX_VERSION
    #define LINKGUARD_SELECTOLAX_VERSION "unknown"
    #endif
    """
    const char *LINKGUARD_SELECTOLAX_VERSION

SELECTOLAX_VERSION = LINKGUARD_SELECTOLAX_VERSION.decode("ascii")
"""The selectolax release whose lexbor headers this module was compiled against."""

# ---------------------------------------------------------------------------------------------
# Growable buffers and pointer arrays

cdef struct _Buf:
    char *data
    Py_ssize_t len
    Py_ssize_t cap


cdef int _reserve(_Buf *b, Py_ssize_t extra) except -1:
    cdef Py_ssize_t need = b.len + extra
    cdef Py_ssize_t cap
    cdef char *data
    if extra < 0 or need < b.len:
        raise MemoryError("buffer size overflow")
    if need <= b.cap:
        return 0
    cap = b.cap * 2 if b.cap else 256
    while cap < need:
        cap *= 2
    data = <char *> PyMem_Realloc(b.data, cap)
    if data == NULL:
        raise MemoryError()
    b.data = data
    b.cap = cap
    return 0


cdef inline int _put(_Buf *b, const char *p, Py_ssize_t n) except -1:
    if n <= 0:
        return 0
    if b.len + n > b.cap:
        _reserve(b, n)
    memcpy(b.data + b.len, p, n)
    b.len += n
    return 0


cdef inline int _putc(_Buf *b, char c) except -1:
    if b.len + 1 > b.cap:
        _reserve(b, 1)
    b.data[b.len] = c
    b.len += 1
    return 0


cdef inline void _free_buf(_Buf *b) noexcept:
    PyMem_Free(b.data)
    b.data = NULL
    b.len = b.cap = 0


cdef inline str _decode(const char *p, Py_ssize_t n):
    """UTF-8 to str the way selectolax decodes lexbor's strings (bad bytes become U+FFFD)."""
    if n <= 0:
        return ""
    return PyUnicode_DecodeUTF8(p, n, "replace")


cdef class _Ptrs:
    """A growable array of node pointers; lazy node sequences index into it."""

    cdef lxb_dom_node_t **items
    cdef Py_ssize_t len
    cdef Py_ssize_t cap

    def __dealloc__(self):
        PyMem_Free(self.items)

    cdef int push(self, lxb_dom_node_t *node) except -1:
        cdef Py_ssize_t cap
        cdef lxb_dom_node_t **items
        if self.len == self.cap:
            cap = self.cap * 2 if self.cap else 64
            items = <lxb_dom_node_t **> PyMem_Realloc(self.items, cap * sizeof(lxb_dom_node_t *))
            if items == NULL:
                raise MemoryError()
            self.items = items
            self.cap = cap
        self.items[self.len] = node
        self.len += 1
        return 0


@cython.no_gc
cdef class NodeRun:
    """Nodes of one segment, made into selectolax nodes only when asked for (strip, labelling).

    A sequence like the list the reference walk builds: ``len``, indexing, iteration.
    """

    cdef LexborHTMLParser parser
    cdef _Ptrs ptrs
    cdef Py_ssize_t start
    cdef Py_ssize_t stop

    def __len__(self):
        return self.stop - self.start

    def __bool__(self):
        return self.stop > self.start

    def __getitem__(self, index):
        cdef Py_ssize_t i
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.stop - self.start))]
        i = index
        if i < 0:
            i += self.stop - self.start
        if i < 0 or i >= self.stop - self.start:
            raise IndexError("node index out of range")
        return LexborNode.new(self.ptrs.items[self.start + i], self.parser)

    def __iter__(self):
        cdef Py_ssize_t i
        for i in range(self.start, self.stop):
            yield LexborNode.new(self.ptrs.items[i], self.parser)

    def __repr__(self):
        return f"<NodeRun of {self.stop - self.start} nodes>"


cdef NodeRun _run(LexborHTMLParser parser, _Ptrs ptrs, Py_ssize_t start, Py_ssize_t stop):
    cdef NodeRun run = NodeRun.__new__(NodeRun)
    run.parser = parser
    run.ptrs = ptrs
    run.start = start
    run.stop = stop
    return run

# ---------------------------------------------------------------------------------------------
# Characters: Python's notion of whitespace, on UTF-8

cdef bint _ASCII_SPACE[128]
memset(_ASCII_SPACE, 0, sizeof(_ASCII_SPACE))
for _c in (9, 10, 11, 12, 13, 28, 29, 30, 31, 32):
    _ASCII_SPACE[_c] = True


cdef inline bint _is_space_cp(Py_UCS4 c) noexcept nogil:
    """``chr(c).isspace()``: what ``str.split()`` and ``\\s`` in ``re`` split on."""
    if c < 128:
        return _ASCII_SPACE[c]
    return (
        c == 0x85 or c == 0xA0 or c == 0x1680 or (0x2000 <= c <= 0x200A) or c == 0x2028 or c == 0x2029
        or c == 0x202F or c == 0x205F or c == 0x3000
    )


cdef inline Py_ssize_t _space_len(const unsigned char *p, const unsigned char *end) noexcept nogil:
    """Bytes of the whitespace character at ``p`` (valid UTF-8), 0 when it is not whitespace."""
    cdef unsigned char c = p[0]
    if c < 0x80:
        return 1 if _ASCII_SPACE[c] else 0
    if c == 0xC2:
        if p + 1 < end and (p[1] == 0x85 or p[1] == 0xA0):
            return 2
        return 0
    if p + 2 >= end:
        return 0
    if c == 0xE1:
        return 3 if p[1] == 0x9A and p[2] == 0x80 else 0
    if c == 0xE2:
        if p[1] == 0x80 and ((0x80 <= p[2] <= 0x8A) or p[2] == 0xA8 or p[2] == 0xA9 or p[2] == 0xAF):
            return 3
        if p[1] == 0x81 and p[2] == 0x9F:
            return 3
        return 0
    if c == 0xE3:
        return 3 if p[1] == 0x80 and p[2] == 0x80 else 0
    return 0


cdef inline Py_ssize_t _char_len(unsigned char c) noexcept nogil:
    if c < 0x80:
        return 1
    if c < 0xE0:
        return 2
    if c < 0xF0:
        return 3
    return 4


cdef bint _valid_utf8(const unsigned char *p, Py_ssize_t n) noexcept nogil:
    """Strict UTF-8, as Python's decoder accepts it (no overlongs, surrogates or > U+10FFFF)."""
    cdef Py_ssize_t i = 0
    cdef unsigned char c, c1
    cdef uint64_t word
    while i < n:
        c = p[i]
        if c < 0x80:
            i += 1
            while i + 8 <= n:  # runs of ASCII, eight bytes at a time
                memcpy(&word, p + i, 8)
                if word & 0x8080808080808080ULL:
                    break
                i += 8
            continue
        if c < 0xC2 or c > 0xF4:
            return False
        if c < 0xE0:
            if i + 1 >= n or (p[i + 1] & 0xC0) != 0x80:
                return False
            i += 2
            continue
        if i + 1 >= n:
            return False
        c1 = p[i + 1]
        if c < 0xF0:
            if i + 2 >= n or (c1 & 0xC0) != 0x80 or (p[i + 2] & 0xC0) != 0x80:
                return False
            if c == 0xE0 and c1 < 0xA0:
                return False
            if c == 0xED and c1 >= 0xA0:
                return False
            i += 3
            continue
        if i + 3 >= n or (c1 & 0xC0) != 0x80 or (p[i + 2] & 0xC0) != 0x80 or (p[i + 3] & 0xC0) != 0x80:
            return False
        if c == 0xF0 and c1 < 0x90:
            return False
        if c == 0xF4 and c1 >= 0x90:
            return False
        i += 4
    return True


cdef bint _all_space(const unsigned char *p, Py_ssize_t n) noexcept nogil:
    cdef const unsigned char *end = p + n
    cdef Py_ssize_t w
    while p < end:
        w = _space_len(p, end)
        if w == 0:
            return False
        p += w
    return True


cdef bint _is_ascii(const unsigned char *p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if p[i] >= 0x80:
            return False
    return True


cdef Py_ssize_t _stripped_chars(const unsigned char *p, Py_ssize_t n) noexcept nogil:
    """``len(text.strip())`` in characters."""
    cdef const unsigned char *end = p + n
    cdef const unsigned char *q
    cdef Py_ssize_t w, count = 0, at_last = 0
    q = p
    # leading spaces
    while q < end:
        w = _space_len(q, end)
        if w == 0:
            break
        q += w
    while q < end:
        w = _space_len(q, end)
        count += 1
        if w:
            q += w
            continue
        at_last = count
        q += _char_len(q[0])
    return at_last


cdef int _append_normalised(_Buf *out, bint *pending, const unsigned char *p, Py_ssize_t n) except -1:
    """Append ``p`` to ``out`` as ``" ".join(text.split())`` would, one space for each gap."""
    cdef const unsigned char *end = p + n
    cdef const unsigned char *run
    cdef Py_ssize_t w
    while p < end:
        w = _space_len(p, end)
        if w:
            if out.len:
                pending[0] = True
            p += w
            continue
        run = p
        while p < end:
            if p[0] < 0x80:
                if _ASCII_SPACE[p[0]]:
                    break
                p += 1
            elif _space_len(p, end):
                break
            else:
                p += _char_len(p[0])
        if p > end:
            p = end
        if pending[0]:
            _putc(out, b" ")
            pending[0] = False
        _put(out, <const char *> run, p - run)
    return 0


cdef bint _contains(const char *hay, Py_ssize_t n, const char *needle, Py_ssize_t m) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef const char *p
    if m == 0:
        return True
    i = 0
    while i + m <= n:
        p = <const char *> memchr(hay + i, needle[0], n - m - i + 1)
        if p == NULL:
            return False
        i = p - hay
        j = 1
        while j < m and hay[i + j] == needle[j]:
            j += 1
        if j == m:
            return True
        i += 1
    return False


cdef inline unsigned char _lower(unsigned char c) noexcept nogil:
    return c + 32 if 65 <= c <= 90 else c



# ---------------------------------------------------------------------------------------------
# Hiding rules: a cheap necessary condition before the reference's regular expressions

cdef inline bint _word_at(const unsigned char *p, Py_ssize_t n, Py_ssize_t i, const char *word, Py_ssize_t m) noexcept nogil:
    """``word`` (lower-case ASCII) at ``p[i:]``, ignoring ASCII case."""
    cdef Py_ssize_t j
    if i + m > n:
        return False
    for j in range(m):
        if _lower(p[i + j]) != <unsigned char> word[j]:
            return False
    return True


cdef inline Py_ssize_t _skip_space(const unsigned char *p, Py_ssize_t n, Py_ssize_t j) noexcept nogil:
    while j < n and p[j] < 128 and _ASCII_SPACE[p[j]]:
        j += 1
    return j


cdef Py_ssize_t _value_at(const unsigned char *p, Py_ssize_t n, Py_ssize_t j) noexcept nogil:
    """After a property name ending before ``j``: where ``\\s*:\\s*`` leads, -1 if no colon."""
    j = _skip_space(p, n, j)
    if j >= n or p[j] != b":":
        return -1
    return _skip_space(p, n, j + 1)


cdef inline bint _digit(const unsigned char *p, Py_ssize_t n, Py_ssize_t j) noexcept nogil:
    return 0 <= j < n and 48 <= p[j] <= 57


cdef bint _could_hide(const unsigned char *p, Py_ssize_t n) noexcept nogil:
    """False only when ``style_hiding`` surely finds nothing in this (ASCII) declaration list.

    A cheap reading of each rule's pattern, looser than the pattern itself: ``display:none``,
    ``visibility:hidden``, ``opacity:0``, ``: -`` then a digit (off-screen offsets), a
    ``font-size`` starting ``0``/``.``/``1`` or a percentage, a ``height``/``width`` of 0-6
    with ``overflow:hidden`` or ``absolute``, ``clip:rect(0`` with ``absolute``, a ``color``
    declaration with a ``background`` one.
    """
    cdef Py_ssize_t i, j, k
    cdef unsigned char c
    cdef bint absolute = False, tiny = False, overflow_hidden = False, clip = False
    cdef bint color = False, background = False
    for i in range(n):
        c = _lower(p[i])
        if c == b"d":
            if _word_at(p, n, i, b"display", 7):
                j = _value_at(p, n, i + 7)
                if j >= 0 and _word_at(p, n, j, b"none", 4):
                    return True
        elif c == b"v":
            if _word_at(p, n, i, b"visibility", 10):
                j = _value_at(p, n, i + 10)
                if j >= 0 and _word_at(p, n, j, b"hidden", 6):
                    return True
        elif c == b"o":
            if _word_at(p, n, i, b"opacity", 7):
                j = _value_at(p, n, i + 7)
                if j >= 0 and j < n and p[j] == b"0":
                    return True
            elif _word_at(p, n, i, b"overflow", 8):
                j = _value_at(p, n, i + 8)
                overflow_hidden = overflow_hidden or (j >= 0 and _word_at(p, n, j, b"hidden", 6))
        elif c == b"f":
            if _word_at(p, n, i, b"font-size", 9):
                j = _value_at(p, n, i + 9)
                if j >= 0 and j < n:
                    if p[j] == b"0" or p[j] == b"." or p[j] == b"1":
                        return True
                    k = j
                    while _digit(p, n, k):
                        k += 1
                    if k > j and k < n and p[k] == b".":
                        k += 1
                        while k < n and p[k] == b"0":
                            k += 1
                    if k > j and k < n and p[k] == b"%":
                        return True
        elif c == b"a":
            absolute = absolute or _word_at(p, n, i, b"absolute", 8)
        elif c == b"h" or c == b"w":
            if _word_at(p, n, i, b"height", 6):
                j = _value_at(p, n, i + 6)
            elif _word_at(p, n, i, b"width", 5):
                j = _value_at(p, n, i + 5)
            else:
                j = -1
            tiny = tiny or (j >= 0 and j < n and 48 <= p[j] <= 54)
        elif c == b"c":
            if _word_at(p, n, i, b"clip", 4):
                j = _value_at(p, n, i + 4)
                if j >= 0 and _word_at(p, n, j, b"rect(", 5):
                    j = _skip_space(p, n, j + 5)
                    clip = clip or (j < n and p[j] == b"0")
            elif _word_at(p, n, i, b"color", 5) and (i == 0 or p[i - 1] == b";" or (p[i - 1] < 128 and _ASCII_SPACE[p[i - 1]])):
                color = color or _value_at(p, n, i + 5) >= 0
        elif c == b"b":
            if _word_at(p, n, i, b"background", 10):
                j = i + 10
                if _word_at(p, n, j, b"-color", 6):
                    j += 6
                background = background or _value_at(p, n, j) >= 0
        elif c == b":":
            j = _skip_space(p, n, i + 1)
            if j < n and p[j] == b"-" and _digit(p, n, _skip_space(p, n, j + 1)):
                return True
    return (tiny and (overflow_hidden or absolute)) or (clip and absolute) or (color and background)


def could_hide(style: str) -> bool:
    """The prefilter on an ASCII style value, for the tests (non-ASCII values always pass)."""
    cdef bytes data = style.encode("utf-8")
    if not _is_ascii(<const unsigned char *> data, len(data)):
        return True
    return _could_hide(<const unsigned char *> data, len(data))


_HIDDEN_NAMES = [""]
_HIDDEN_CODES = {"": 0}


cdef int _hidden_code(str name) except -1:
    code = _HIDDEN_CODES.get(name)
    if code is None:
        code = len(_HIDDEN_NAMES)
        _HIDDEN_NAMES.append(name)
        _HIDDEN_CODES[name] = code
    return code


cdef int _DISPLAY_NONE = _hidden_code("display_none")
_style_hiding = _hiding.style_hiding
_marquee_hiding = _hiding.marquee_hiding
_script_hiding = _hiding.script_hiding
_stylesheet_hiding = _hiding.stylesheet_hiding


cdef int _inline_hiding(const unsigned char *p, Py_ssize_t n) except -1:
    """``style_hiding(style.lower())`` as a code, the regular expressions only when they may match."""
    if _is_ascii(p, n) and not _could_hide(p, n):
        return 0
    return _hidden_code(_style_hiding(_decode(<const char *> p, n).lower()))


cdef bint _is_simple_selector(str sel, Py_ssize_t a, Py_ssize_t b) except -1:
    """``_SIMPLE_SELECTOR.match(sel[a:b])``: one ``.name`` or ``#name``, whitespace around."""
    cdef Py_UCS4 c
    cdef Py_ssize_t k
    while a < b and _is_space_cp(sel[a]):
        a += 1
    while b > a and _is_space_cp(sel[b - 1]):
        b -= 1
    if b - a < 2 or b - a > 81:
        return False
    c = sel[a]
    if c != u"." and c != u"#":
        return False
    for k in range(a + 1, b):
        c = sel[k]
        if not (
            (u"a" <= c <= u"z") or (u"A" <= c <= u"Z") or (u"0" <= c <= u"9") or c == u"_" or c == u"-"
        ):
            return False
    return True


cdef int _stylesheet(str css, dict found) except -1:
    """``_hiding.stylesheet_hiding``, skipping rules with no simple selector or no hiding word."""
    cdef Py_ssize_t n = len(css), start = 0, end, brace, sel_start, k, a
    cdef bint any_simple
    cdef str body
    cdef bytes body_utf8
    if not css or n > _hiding._MAX_STYLESHEET:
        return 0
    while start <= n:
        end = css.find(u"}", start)
        if end < 0:
            end = n
        brace = css.rfind(u"{", start, end)
        if brace >= 0 and end - brace - 1 <= _hiding._MAX_RULE_BODY:
            # selectors.rpartition("{")[2][-400:]
            sel_start = css.rfind(u"{", start, brace)
            sel_start = start if sel_start < 0 else sel_start + 1
            if brace - sel_start > _hiding._MAX_SELECTORS:
                sel_start = brace - _hiding._MAX_SELECTORS
            any_simple = False
            a = sel_start
            while True:
                k = css.find(u",", a, brace)
                if k < 0:
                    k = brace
                if _is_simple_selector(css, a, k):
                    any_simple = True
                    break
                if k >= brace:
                    break
                a = k + 1
            if any_simple:
                body = css[brace + 1 : end]
                body_utf8 = body.encode("utf-8", "surrogatepass")
                if not _is_ascii(<const unsigned char *> body_utf8, len(body_utf8)) or _could_hide(
                    <const unsigned char *> body_utf8, len(body_utf8)
                ):
                    # The reference's own loop on this one rule (one chunk between braces).
                    _stylesheet_hiding(css[start:end], found)
        start = end + 1
    return 0


cdef bint _script_could_hide(const char *p, Py_ssize_t n) noexcept nogil:
    """False only when ``_JS_HIDE`` cannot match: it needs a lookup call and a hiding word."""
    if not (_contains(p, n, b"display", 7) or _contains(p, n, b"visibility", 10) or _contains(p, n, b"hide", 4)):
        return False
    return (
        _contains(p, n, b"getElementById(", 15)
        or _contains(p, n, b"querySelector(", 14)
        or _contains(p, n, b"getElementsByClassName(", 23)
        or _contains(p, n, b"$(", 2)
        or _contains(p, n, b"jQuery(", 7)
    )

# ---------------------------------------------------------------------------------------------
# Elements: what the walk needs to know of a tag, by lexbor's tag id

cdef enum:
    K_BLOCK = 1
    K_LINE = 2
    K_SKIP = 4
    K_BR = 8
    K_A = 16
    K_MARQUEE = 32
    K_FOOTER = 64

cdef unsigned char _KIND[LXB_TAG__LAST_ENTRY]
memset(_KIND, 0, sizeof(_KIND))
_TAG_NAMES = {}

_TAG_IDS = {
    "a": LXB_TAG_A, "address": LXB_TAG_ADDRESS, "area": LXB_TAG_AREA, "article": LXB_TAG_ARTICLE,
    "aside": LXB_TAG_ASIDE, "audio": LXB_TAG_AUDIO, "base": LXB_TAG_BASE, "blockquote": LXB_TAG_BLOCKQUOTE,
    "body": LXB_TAG_BODY, "br": LXB_TAG_BR, "button": LXB_TAG_BUTTON, "canvas": LXB_TAG_CANVAS,
    "caption": LXB_TAG_CAPTION, "center": LXB_TAG_CENTER, "dd": LXB_TAG_DD, "details": LXB_TAG_DETAILS,
    "dialog": LXB_TAG_DIALOG, "dir": LXB_TAG_DIR, "div": LXB_TAG_DIV, "dl": LXB_TAG_DL, "dt": LXB_TAG_DT,
    "embed": LXB_TAG_EMBED, "fieldset": LXB_TAG_FIELDSET, "figcaption": LXB_TAG_FIGCAPTION,
    "figure": LXB_TAG_FIGURE, "footer": LXB_TAG_FOOTER, "form": LXB_TAG_FORM, "frame": LXB_TAG_FRAME,
    "frameset": LXB_TAG_FRAMESET, "h1": LXB_TAG_H1, "h2": LXB_TAG_H2, "h3": LXB_TAG_H3, "h4": LXB_TAG_H4,
    "h5": LXB_TAG_H5, "h6": LXB_TAG_H6, "head": LXB_TAG_HEAD, "header": LXB_TAG_HEADER,
    "hgroup": LXB_TAG_HGROUP, "hr": LXB_TAG_HR, "html": LXB_TAG_HTML, "iframe": LXB_TAG_IFRAME,
    "img": LXB_TAG_IMG, "input": LXB_TAG_INPUT, "legend": LXB_TAG_LEGEND, "li": LXB_TAG_LI,
    "link": LXB_TAG_LINK, "main": LXB_TAG_MAIN, "map": LXB_TAG_MAP, "marquee": LXB_TAG_MARQUEE,
    "math": LXB_TAG_MATH, "menu": LXB_TAG_MENU, "meta": LXB_TAG_META, "nav": LXB_TAG_NAV,
    "noscript": LXB_TAG_NOSCRIPT, "object": LXB_TAG_OBJECT, "ol": LXB_TAG_OL, "option": LXB_TAG_OPTION,
    "p": LXB_TAG_P, "param": LXB_TAG_PARAM, "pre": LXB_TAG_PRE, "script": LXB_TAG_SCRIPT,
    "section": LXB_TAG_SECTION, "select": LXB_TAG_SELECT, "source": LXB_TAG_SOURCE, "style": LXB_TAG_STYLE,
    "summary": LXB_TAG_SUMMARY, "svg": LXB_TAG_SVG, "table": LXB_TAG_TABLE, "tbody": LXB_TAG_TBODY,
    "td": LXB_TAG_TD, "template": LXB_TAG_TEMPLATE, "textarea": LXB_TAG_TEXTAREA, "tfoot": LXB_TAG_TFOOT,
    "th": LXB_TAG_TH, "thead": LXB_TAG_THEAD, "title": LXB_TAG_TITLE, "tr": LXB_TAG_TR,
    "track": LXB_TAG_TRACK, "ul": LXB_TAG_UL, "video": LXB_TAG_VIDEO,
}


_TAG_BYTES = {}  # keeps the names _TAG_CSTR points into
cdef const char *_TAG_CSTR[LXB_TAG__LAST_ENTRY]
cdef Py_ssize_t _TAG_LEN[LXB_TAG__LAST_ENTRY]


def _tag_id(str name):
    cdef bytes data
    tag_id = _TAG_IDS.get(name)
    if tag_id is None:
        raise ImportError(f"the compiled core does not know the tag {name!r} the reference walk uses; rebuild it")
    data = name.encode("ascii")
    _TAG_NAMES[tag_id] = name
    _TAG_BYTES[tag_id] = data
    _TAG_CSTR[<Py_ssize_t> tag_id] = data
    _TAG_LEN[<Py_ssize_t> tag_id] = len(data)
    return tag_id


for _name in _segment._BLOCK:
    _KIND[_tag_id(_name)] |= K_BLOCK
for _name in _segment._LINE:
    _KIND[_tag_id(_name)] |= K_LINE
for _name in _segment._SKIP:
    _KIND[_tag_id(_name)] |= K_SKIP
_KIND[_tag_id("br")] |= K_BR
_KIND[_tag_id("a")] |= K_A
_KIND[_tag_id("marquee")] |= K_MARQUEE
_KIND[_tag_id("footer")] |= K_FOOTER


cdef inline uintptr_t _element_name(lxb_dom_node_t *node) noexcept nogil:
    """The id of the element's qualified name (what ``LexborNode.tag`` spells)."""
    cdef lg_element_t *el = <lg_element_t *> node
    return el.qualified_name if el.qualified_name != 0 else node.local_name


cdef inline unsigned char _kind(uintptr_t name) noexcept nogil:
    return _KIND[name] if name < LXB_TAG__LAST_ENTRY else 0


# Attributes the walk reads, as found on one element (the last one of a name wins, as in a dict).
cdef enum:
    A_STYLE = 0
    A_CLASS = 1
    A_ID = 2
    A_WIDTH = 3
    A_HEIGHT = 4
    A_HREF = 5
    A_SRC = 6
    A_HIDDEN = 7
    N_ATTRS = 8

cdef struct _Attr:
    bint present
    const unsigned char *value  # NULL: present without a value (``None`` in the reference)
    Py_ssize_t len


cdef inline uintptr_t _attr_id(lxb_dom_attr_t *attr) noexcept nogil:
    """The attribute's name as selectolax's ``attributes`` keys it: one of lexbor's own names (below
    ``LXB_DOM_ATTR__LAST_ENTRY``) or, for any other, its entry interned in the document."""
    return attr.qualified_name if attr.qualified_name != 0 else attr.node.local_name


cdef inline bint _interned(uintptr_t qid, const char *word, size_t m) noexcept nogil:
    """Whether an attribute id is the name ``word`` (``m`` bytes) interned in the document."""
    cdef lxb_dom_attr_data_t *data
    cdef const unsigned char *name
    if qid <= LXB_DOM_ATTR__LAST_ENTRY:
        return False
    data = <lxb_dom_attr_data_t *> qid
    if data.entry.length != m:
        return False
    name = lexbor_hash_entry_str(&data.entry)
    return name != NULL and memcmp(name, word, m) == 0


cdef inline int _attr_slot(lxb_dom_attr_t *attr) noexcept nogil:
    cdef uintptr_t qid = _attr_id(attr)
    if qid < LXB_DOM_ATTR__LAST_ENTRY:
        if qid == LXB_DOM_ATTR_STYLE:
            return A_STYLE
        if qid == LXB_DOM_ATTR_CLASS:
            return A_CLASS
        if qid == LXB_DOM_ATTR_ID:
            return A_ID
        if qid == LXB_DOM_ATTR_WIDTH:
            return A_WIDTH
        if qid == LXB_DOM_ATTR_HEIGHT:
            return A_HEIGHT
        if qid == LXB_DOM_ATTR_HREF:
            return A_HREF
        if qid == LXB_DOM_ATTR_SRC:
            return A_SRC
        return -1
    return A_HIDDEN if _interned(qid, b"hidden", 6) else -1


ctypedef int (*_SlotOf)(lxb_dom_attr_t *attr) noexcept nogil


cdef inline void _read_slots(lxb_dom_node_t *node, _Attr *attrs, int n, _SlotOf slot_of) noexcept nogil:
    """The element's attributes that ``slot_of`` gives a slot below ``n``, by slot (the last one of
    a name wins, as in a dict)."""
    cdef lxb_dom_attr_t *attr = (<lg_element_t *> node).first_attr
    cdef int slot
    cdef int i
    for i in range(n):
        attrs[i].present = False
        attrs[i].value = NULL
        attrs[i].len = 0
    while attr != NULL:
        slot = slot_of(attr)
        if slot >= 0:
            attrs[slot].present = True
            if attr.value != NULL and attr.value.data != NULL:
                attrs[slot].value = <const unsigned char *> attr.value.data
                attrs[slot].len = attr.value.length
            else:
                attrs[slot].value = NULL
                attrs[slot].len = 0
        attr = attr.next


cdef void _read_attrs(lxb_dom_node_t *node, _Attr *attrs) noexcept nogil:
    _read_slots(node, attrs, N_ATTRS, _attr_slot)


cdef inline bint _nonempty(_Attr *a) noexcept nogil:
    return a.value != NULL and a.len > 0


cdef inline object _attr_str(_Attr *a):
    if a.value == NULL:
        return None
    return _decode(<const char *> a.value, a.len)


_footer_hint_py = _segment._footer_hint
cdef bint _FOOTER_FIRST[256]
memset(_FOOTER_FIRST, 0, sizeof(_FOOTER_FIRST))
for _c in (102, 99, 115, 98, 70, 67, 83, 66):  # f c s b, either case
    _FOOTER_FIRST[_c] = True
for _c in range(0x80, 0x100):
    _FOOTER_FIRST[_c] = True


cdef bint _footer_hint(_Attr *a) except -1:
    """``_segment._footer_hint`` on an attribute value (the regular expression for non-ASCII)."""
    cdef const unsigned char *p = a.value
    cdef Py_ssize_t n = a.len, k
    cdef unsigned char c
    for k in range(n):
        if not _FOOTER_FIRST[p[k]]:
            continue
        c = p[k]
        if c >= 0x80:  # not ASCII: the regular expression decides (its case folding is Unicode's)
            return _footer_hint_py(_attr_str(a))
        c = _lower(c)
        if c == b"f":
            if _word_at(p, n, k, b"foot", 4):
                return True
        elif c == b"c":
            if _word_at(p, n, k, b"colophon", 8) or _word_at(p, n, k, b"copyright", 9):
                return True
        elif c == b"s":
            if _word_at(p, n, k, b"site-info", 9):
                return True
        elif c == b"b":
            if _word_at(p, n, k, b"bottom", 6):
                return True
    return False

# ---------------------------------------------------------------------------------------------
# Selectors hidden by the page's own stylesheets and scripts


cdef struct _KeySlot:
    uint64_t hash  # 0: empty
    int len
    int code
    char key[96]


cdef inline uint64_t _hash_more(uint64_t h, const unsigned char *p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        h ^= p[i]
        h *= 1099511628211ULL
    return h


cdef class _HiddenSet:
    """``.class``/``#id`` keys of the hidden-selector dict, looked up on UTF-8 bytes."""

    cdef dict codes
    cdef _KeySlot *slots
    cdef Py_ssize_t cap

    def __cinit__(self):
        self.slots = NULL
        self.cap = 0

    def __dealloc__(self):
        PyMem_Free(self.slots)

    def __init__(self, dict hidden):
        cdef bytes key
        cdef _KeySlot *slot
        cdef uint64_t h
        self.codes = {}
        for name, how in hidden.items():
            if how:
                self.codes[name.encode("utf-8", "surrogatepass")] = _hidden_code(how)
        self.cap = 16
        while self.cap < 2 * len(self.codes) + 2:
            self.cap *= 2
        self.slots = <_KeySlot *> PyMem_Malloc(self.cap * sizeof(_KeySlot))
        if self.slots == NULL:
            raise MemoryError()
        memset(self.slots, 0, self.cap * sizeof(_KeySlot))
        for key, code in self.codes.items():
            if len(key) >= 96:
                continue  # longer than any class or id it could be compared with (see lookup)
            h = _hash_more(1469598103934665603ULL, <const unsigned char *> key, len(key)) | 1
            slot = self.find(<const unsigned char *> key, len(key), h)
            slot.hash = h
            slot.len = len(key)
            slot.code = code
            memcpy(slot.key, <const char *> key, len(key))

    cdef _KeySlot *find(self, const unsigned char *key, Py_ssize_t n, uint64_t h) noexcept nogil:
        cdef Py_ssize_t i = h & (self.cap - 1)
        cdef _KeySlot *slot
        while True:
            slot = &self.slots[i]
            if slot.hash == 0 or (slot.hash == h and slot.len == n and memcmp(slot.key, key, n) == 0):
                return slot
            i = (i + 1) & (self.cap - 1)

    cdef int lookup(self, unsigned char prefix, const unsigned char *p, Py_ssize_t n) noexcept nogil:
        """The hidden code of ``prefix + p``, 0 when that selector hides nothing."""
        cdef unsigned char key[96]
        cdef uint64_t h
        if n + 1 >= 96:
            return 0  # keys hold at most 81 characters ([.#] and 80 name characters)
        key[0] = prefix
        memcpy(&key[1], p, n)
        h = _hash_more(1469598103934665603ULL, key, n + 1) | 1
        return self.find(key, n + 1, h).code


cdef inline lxb_dom_node_t *_next_in_order(lxb_dom_node_t *node, lxb_dom_node_t *top) noexcept nogil:
    """The node after ``node`` in document order below ``top`` (descendants first), or NULL."""
    if node.first_child != NULL:
        return node.first_child
    while node != top and node.next == NULL:
        node = node.parent
    return NULL if node == top else node.next


cdef int _deep_text(lxb_dom_node_t *node, _Buf *buf) except -1:
    """``node.text(deep=True)`` as UTF-8 in ``buf`` (emptied first): every text node below, joined."""
    cdef lxb_dom_node_t *sub = node.first_child
    cdef lxb_dom_character_data_t *text
    buf.len = 0
    while sub != NULL and sub != node:
        if sub.local_name == LXB_TAG__TEXT:
            text = <lxb_dom_character_data_t *> sub
            if text.data.data != NULL:
                _put(buf, <const char *> text.data.data, text.data.length)
        if sub.first_child != NULL:
            sub = sub.first_child
            continue
        while sub != node and sub.next == NULL:
            sub = sub.parent
        if sub != node:
            sub = sub.next
    return 0


def hidden_selectors(LexborHTMLParser tree) -> dict:
    """``_hiding.hidden_selectors``: scripts first (first wins), then stylesheets (last wins)."""
    cdef lxb_dom_node_t *top
    cdef lxb_dom_node_t *node
    cdef _Buf buf
    cdef _Attr attrs[N_ATTRS]
    cdef list scripts = []
    cdef list styles = []
    cdef uintptr_t name
    cdef dict found = {}
    root = tree.root
    if root is None:
        return found
    top = (<LexborNode> root).node
    memset(&buf, 0, sizeof(buf))
    try:
        node = top.first_child
        while node != NULL:
            if node.type == LXB_DOM_NODE_TYPE_ELEMENT and (
                node.local_name == LXB_TAG_SCRIPT or node.local_name == LXB_TAG_STYLE
            ):
                name = node.local_name
                skip = False
                if name == LXB_TAG_SCRIPT:
                    _read_attrs(node, attrs)
                    skip = attrs[A_SRC].present
                if not skip:
                    _deep_text(node, &buf)  # decoded once, below
                    if name == LXB_TAG_SCRIPT:
                        if buf.len and buf.len <= 4 * _hiding.MAX_HIDING_SCRIPT and _script_could_hide(buf.data, buf.len):
                            scripts.append(_decode(buf.data, buf.len))
                    elif buf.len:
                        styles.append(_decode(buf.data, buf.len))
            # style and script descendants included, as css() finds them
            node = _next_in_order(node, top)
    finally:
        _free_buf(&buf)
    for code in scripts:
        _script_hiding(code, found)
    for css in styles:
        _stylesheet(css, found)
    return found

# ---------------------------------------------------------------------------------------------
# The walk: ``_segment.walk_html`` over lexbor's structures

cdef struct _Scope:
    int hidden  # code in _HIDDEN_NAMES, 0 = visible
    lxb_dom_node_t *hidden_root
    bint footer
    Py_ssize_t in_anchor

cdef struct _Block:
    lxb_dom_node_t *node
    uintptr_t name
    bint has_child_block
    Py_ssize_t path_start  # where this block's "> label" begins in the path buffer
    Py_ssize_t label_start  # where its label begins

_label = _segment._label
_urls_in_text = _segment.urls_in_text
_MAX_PATH = _segment._MAX_PATH


# RawSegment is a slotted dataclass; its generated __init__ is Python code, and a call
# per segment would cost more than building the segment.  Its slots are filled here
# through their member descriptors instead, in declaration order.
_SEGMENT_FIELDS = (
    "text", "links", "anchors", "anchor_text", "anchor_chars", "n_lines", "hidden", "in_footer", "after_end",
    "path", "start", "end", "nodes", "texts", "hidden_root", "whole_block", "tail",
)
cdef PyMemberDef *_SEGMENT_SLOTS[17]


cdef int _init_segment_slots() except -1:
    cdef int i
    names = tuple(f.name for f in dataclasses.fields(RawSegment))
    if names != _SEGMENT_FIELDS:
        raise ImportError(f"RawSegment has fields {names}; the compiled core fills {_SEGMENT_FIELDS}: rebuild it")
    for i, name in enumerate(_SEGMENT_FIELDS):
        descr = RawSegment.__dict__.get(name)
        if type(descr).__name__ != "member_descriptor":
            raise ImportError(f"RawSegment.{name} is not a slot; the compiled core needs a slotted dataclass")
        _SEGMENT_SLOTS[i] = (<PyMemberDescrObject *> <PyObject *> descr).d_member
    return 0


_init_segment_slots()


cdef object _new_segment(tuple values):
    """``RawSegment(*values)``, without running the dataclass's Python ``__init__``."""
    cdef PyObject *raw = PyType_GenericAlloc(<PyTypeObject *> RawSegment, 0)
    cdef int i
    if raw == NULL:
        raise MemoryError()
    obj = <object> raw
    Py_DECREF(obj)
    for i in range(17):
        PyMember_SetOne(<char *> raw, _SEGMENT_SLOTS[i], values[i])
    return obj


cdef class _Walker:
    """One page's segments, built as the reference's ``_Builder`` builds them."""

    # the segment being built
    cdef _Buf text  # finished lines, joined with "\n"
    cdef _Buf line  # the current line, whitespace already collapsed
    cdef bint line_pending
    cdef Py_ssize_t n_lines
    cdef _Buf anchor
    cdef bint anchor_pending
    cdef Py_ssize_t anchor_chars
    cdef _Buf plain  # text outside links, parts joined with " " (for bare URLs)
    cdef Py_ssize_t plain_parts
    cdef list links
    cdef list link_anchors  # text parts of each link in ``links``, in step with it
    cdef Py_ssize_t first_link  # page-wide number of ``links[0]``: links of a segment are numbered in a row
    cdef int hidden
    cdef lxb_dom_node_t *hidden_root
    cdef bint footer
    cdef Py_ssize_t nodes_start
    cdef Py_ssize_t texts_start
    # the page
    cdef LexborHTMLParser parser
    cdef lxb_dom_node_t *root
    cdef _Ptrs nodes
    cdef _Ptrs texts
    cdef list out
    cdef bint tail
    cdef dict hidden_roots  # one selectolax node per hiding element, so ``is`` compares boxes
    cdef _HiddenSet hidden_css
    cdef bint has_hidden_css
    cdef _Block *blocks
    cdef Py_ssize_t n_blocks
    cdef Py_ssize_t cap_blocks
    cdef _Buf path_buf  # labels of the open blocks joined with ">", as UTF-8
    cdef Py_ssize_t n_labelled  # blocks[:n_labelled] have their label in path_buf
    cdef _Scope *scopes
    cdef Py_ssize_t n_scopes
    cdef Py_ssize_t cap_scopes
    cdef bint root_has_child_block

    def __cinit__(self):
        memset(&self.text, 0, sizeof(_Buf))
        memset(&self.line, 0, sizeof(_Buf))
        memset(&self.anchor, 0, sizeof(_Buf))
        memset(&self.plain, 0, sizeof(_Buf))
        memset(&self.path_buf, 0, sizeof(_Buf))
        self.blocks = NULL
        self.scopes = NULL

    def __dealloc__(self):
        _free_buf(&self.text)
        _free_buf(&self.line)
        _free_buf(&self.anchor)
        _free_buf(&self.plain)
        _free_buf(&self.path_buf)
        PyMem_Free(self.blocks)
        PyMem_Free(self.scopes)

    cdef void reset(self) noexcept:
        self.text.len = 0
        self.line.len = 0
        self.line_pending = False
        self.n_lines = 0
        self.anchor.len = 0
        self.anchor_pending = False
        self.anchor_chars = 0
        self.plain.len = 0
        self.plain_parts = 0
        self.links = []
        self.link_anchors = []
        self.first_link = 0
        self.hidden = 0
        self.hidden_root = NULL
        self.footer = False
        self.nodes_start = self.nodes.len
        self.texts_start = self.texts.len

    cdef int newline(self) except -1:
        if self.line.len:
            if self.text.len:
                _putc(&self.text, b"\n")
            _put(&self.text, self.line.data, self.line.len)
            self.n_lines += 1
            self.line.len = 0
            self.line_pending = False
        return 0

    cdef str path(self):
        """``">".join(path_stack)``, only the innermost ``_MAX_PATH`` levels on deep trees.

        Labels are made when a segment first needs them: most blocks never hold one.
        """
        cdef Py_ssize_t first, i
        cdef _Attr attrs[N_ATTRS]
        cdef _Block *b
        for i in range(self.n_labelled, self.n_blocks):
            b = &self.blocks[i]
            b.path_start = self.path_buf.len
            if i:
                _putc(&self.path_buf, b">")
            b.label_start = self.path_buf.len
            _read_attrs(b.node, attrs)
            self.put_label(b.node, b.name, attrs)
        self.n_labelled = self.n_blocks
        if self.n_blocks > _MAX_PATH:
            first = self.blocks[self.n_blocks - _MAX_PATH].label_start
            return "…>" + _decode(self.path_buf.data + first, self.path_buf.len - first)
        return _decode(self.path_buf.data, self.path_buf.len)

    cdef int put_label(self, lxb_dom_node_t *node, uintptr_t name, _Attr *attrs) except -1:
        """Append ``_segment._label``: ``tag#id`` or ``tag.first-class`` (40 characters), else ``tag``."""
        cdef _Attr *a
        cdef const unsigned char *p
        cdef const unsigned char *start
        cdef const unsigned char *end
        cdef const unsigned char *stop
        cdef Py_ssize_t chars = 0
        cdef bytes label
        cdef Py_ssize_t tag_len = _TAG_LEN[name]
        _put(&self.path_buf, _TAG_CSTR[name], tag_len)
        a = &attrs[A_ID]
        if not _nonempty(a):
            if name == LXB_TAG_BODY or not _nonempty(&attrs[A_CLASS]):
                return 0
            a = &attrs[A_CLASS]
        if not _valid_utf8(a.value, a.len):
            present = {"id": _attr_str(&attrs[A_ID]), "class": _attr_str(&attrs[A_CLASS])}
            label = _label(present, _TAG_NAMES[name]).encode("utf-8")
            _put(&self.path_buf, <const char *> label + tag_len, len(label) - tag_len)
            return 0
        p = a.value
        stop = a.value + a.len
        end = stop
        if a == &attrs[A_CLASS]:  # the first of the whitespace-separated classes
            while p < stop and _space_len(p, stop):
                p += _space_len(p, stop)
            if p == stop:
                return 0
            end = p
            while end < stop and _space_len(end, stop) == 0:
                end += _char_len(end[0])
            if end > stop:
                end = stop
        start = p
        while p < end and chars < 40:
            p += _char_len(p[0])
            chars += 1
        if p > end:
            p = end
        _putc(&self.path_buf, b"#" if a == &attrs[A_ID] else b".")
        _put(&self.path_buf, <const char *> start, p - start)
        return 0

    cdef object node_object(self, lxb_dom_node_t *node):
        return LexborNode.new(node, self.parser)

    cdef int flush(self, lxb_dom_node_t *block, bint whole) except -1:
        cdef bytes plain
        if self.line.len == 0 and self.text.len == 0 and not self.links:
            self.nodes.len = self.nodes_start  # nodes of an empty segment are dropped
            return 0
        self.newline()
        if self.n_lines or self.links:
            links = self.links
            if self.plain.len and (
                _contains(self.plain.data, self.plain.len, b"http", 4)
                or _contains(self.plain.data, self.plain.len, b"www.", 4)
            ):
                bare = _urls_in_text(_decode(self.plain.data, self.plain.len))
                links = links + bare
            else:
                bare = None
            anchors = [" ".join(" ".join(parts).split()) for parts in self.link_anchors]
            if bare:
                anchors = anchors + bare
            hidden_root = None
            if self.hidden_root != NULL:
                key = <uintptr_t> self.hidden_root
                hidden_root = self.hidden_roots.get(key)
                if hidden_root is None:
                    hidden_root = self.node_object(self.hidden_root)
                    self.hidden_roots[key] = hidden_root
            self.out.append(
                _new_segment((
                    _decode(self.text.data, self.text.len),
                    links,
                    anchors,
                    _decode(self.anchor.data, self.anchor.len),
                    self.anchor_chars,
                    self.n_lines if self.n_lines > 1 else 1,
                    _HIDDEN_NAMES[self.hidden],
                    self.footer,
                    self.tail,
                    self.path(),
                    -1,
                    -1,
                    _run(self.parser, self.nodes, self.nodes_start, self.nodes.len),
                    _run(self.parser, self.texts, self.texts_start, self.texts.len),
                    hidden_root,
                    self.node_object(block) if whole and block != NULL else None,
                    self.tail,
                ))
            )
        self.reset()
        return 0

    cdef int text_node(self, lxb_dom_node_t *node, _Scope *scope, bint direct) except -1:
        cdef lxb_dom_character_data_t *cd = <lxb_dom_character_data_t *> node
        cdef const unsigned char *p = <const unsigned char *> cd.data.data
        cdef Py_ssize_t n = cd.data.length
        cdef bytes fixed
        if p == NULL or n == 0:
            return 0
        if not _valid_utf8(p, n):
            # lexbor kept bytes that are not UTF-8: take them as the reference reads them.
            fixed = _decode(<const char *> p, n).encode("utf-8")
            return self.text_bytes(node, <const unsigned char *> fixed, len(fixed), scope, direct)
        return self.text_bytes(node, p, n, scope, direct)

    cdef int text_bytes(
        self, lxb_dom_node_t *node, const unsigned char *p, Py_ssize_t n, _Scope *scope, bint direct
    ) except -1:
        cdef Py_ssize_t slot
        if _all_space(p, n):
            if self.line.len:
                self.line_pending = True
            return 0
        _append_normalised(&self.line, &self.line_pending, p, n)
        self.texts.push(node)
        if scope.in_anchor:
            if self.anchor.len:
                self.anchor_pending = True
            _append_normalised(&self.anchor, &self.anchor_pending, p, n)
            self.anchor_chars += _stripped_chars(p, n)
            slot = scope.in_anchor - self.first_link
            if scope.in_anchor > 0 and 0 <= slot < len(self.link_anchors):
                (<list> self.link_anchors[slot]).append(_decode(<const char *> p, n))
        else:
            if self.plain_parts:
                _putc(&self.plain, b" ")
            _put(&self.plain, <const char *> p, n)
            self.plain_parts += 1
        if scope.hidden and not self.hidden:
            self.hidden = scope.hidden
            self.hidden_root = scope.hidden_root
        if scope.footer:
            self.footer = True
        if direct:
            self.nodes.push(node)
        return 0

    cdef int push_block(self, lxb_dom_node_t *node, uintptr_t name) except -1:
        cdef Py_ssize_t cap
        cdef _Block *blocks
        if self.n_blocks == self.cap_blocks:
            cap = self.cap_blocks * 2 if self.cap_blocks else 32
            blocks = <_Block *> PyMem_Realloc(self.blocks, cap * sizeof(_Block))
            if blocks == NULL:
                raise MemoryError()
            self.blocks = blocks
            self.cap_blocks = cap
        self.blocks[self.n_blocks].node = node
        # The root is its own enclosing block at the start of the walk: one flag for both.
        self.blocks[self.n_blocks].has_child_block = self.root_has_child_block if node == self.root else False
        self.blocks[self.n_blocks].name = name
        self.n_blocks += 1
        return 0

    cdef int exit_block(self) except -1:
        cdef _Block *top = &self.blocks[self.n_blocks - 1]
        self.flush(top.node, not top.has_child_block)
        self.n_blocks -= 1
        if self.n_labelled > self.n_blocks:
            self.path_buf.len = top.path_start
            self.n_labelled = self.n_blocks
        return 0

    cdef int push_scope(self, _Scope *scope) except -1:
        cdef Py_ssize_t cap
        cdef _Scope *scopes
        if self.n_scopes == self.cap_scopes:
            cap = self.cap_scopes * 2 if self.cap_scopes else 64
            scopes = <_Scope *> PyMem_Realloc(self.scopes, cap * sizeof(_Scope))
            if scopes == NULL:
                raise MemoryError()
            self.scopes = scopes
            self.cap_scopes = cap
        self.scopes[self.n_scopes] = scope[0]
        self.n_scopes += 1
        return 0

    cdef str walk(self, object budget):
        """Segment the subtree under ``self.root``; returns a truncation reason or ``""``."""
        cdef lxb_dom_node_t *node = self.root
        cdef _Scope scope
        cdef _Scope child
        cdef _Attr attrs[N_ATTRS]
        cdef Py_ssize_t n_nodes = budget.nodes, n_links = budget.links
        cdef Py_ssize_t max_nodes = budget.max_nodes, max_links = budget.max_links
        cdef uintptr_t name
        cdef unsigned char kind
        cdef int how
        cdef bint direct, descend
        cdef const unsigned char *p
        cdef const unsigned char *q
        cdef const unsigned char *end
        cdef Py_ssize_t w
        truncated = ""
        memset(&scope, 0, sizeof(_Scope))
        self.push_scope(&scope)
        while True:
            n_nodes += 1
            if n_nodes > max_nodes:
                truncated = f"node cap reached ({max_nodes} nodes)"
                break
            scope = self.scopes[self.n_scopes - 1]
            direct = self.n_blocks > 0 and node.parent == self.blocks[self.n_blocks - 1].node and node != self.root
            descend = False
            if node.local_name == LXB_TAG__TEXT:
                if node.type == LXB_DOM_NODE_TYPE_TEXT:
                    self.text_node(node, &scope, direct)
            elif node.type == LXB_DOM_NODE_TYPE_ELEMENT:
                name = _element_name(node)
                kind = _kind(name)
                if kind & K_SKIP:
                    pass
                elif kind & K_BR:
                    self.newline()
                else:
                    if kind & K_LINE:
                        self.newline()
                    _read_attrs(node, attrs)
                    how = 0
                    if _nonempty(&attrs[A_STYLE]):
                        how = _inline_hiding(attrs[A_STYLE].value, attrs[A_STYLE].len)
                    if not how and self.has_hidden_css:
                        if _nonempty(&attrs[A_CLASS]):
                            how = self.class_hiding(&attrs[A_CLASS])
                        if not how and _nonempty(&attrs[A_ID]):
                            how = self.hidden_css.lookup(35, attrs[A_ID].value, attrs[A_ID].len)  # "#"
                    if not how and attrs[A_HIDDEN].present:
                        how = _DISPLAY_NONE
                    if not how and kind & K_MARQUEE:
                        how = _hidden_code(_marquee_hiding(_attr_str(&attrs[A_WIDTH]), _attr_str(&attrs[A_HEIGHT])))
                    child = scope
                    if how and not child.hidden:
                        child.hidden = how
                        child.hidden_root = node
                    if not child.footer and (
                        kind & K_FOOTER or (_nonempty(&attrs[A_ID]) and _footer_hint(&attrs[A_ID]))
                    ):
                        child.footer = True
                    elif not child.footer and _nonempty(&attrs[A_CLASS]) and _footer_hint(&attrs[A_CLASS]):
                        child.footer = True
                    if kind & K_A:
                        if attrs[A_HREF].present and attrs[A_HREF].value != NULL:
                            n_links += 1
                            if n_links > max_links:
                                truncated = f"link cap reached ({max_links} links)"
                                break
                            if not self.links:
                                self.first_link = n_links
                            self.links.append(_decode(<const char *> attrs[A_HREF].value, attrs[A_HREF].len))
                            self.link_anchors.append([])
                            child.in_anchor = n_links
                            if child.hidden and not self.hidden:
                                self.hidden = child.hidden
                                self.hidden_root = child.hidden_root
                            if child.footer:
                                self.footer = True
                        elif not child.in_anchor:
                            child.in_anchor = -1
                    if kind & K_BLOCK:
                        if self.n_blocks:
                            self.blocks[self.n_blocks - 1].has_child_block = True
                        else:
                            self.root_has_child_block = True
                        self.flush(self.blocks[self.n_blocks - 1].node if self.n_blocks else self.root, False)
                        self.push_block(node, name)
                    elif direct:
                        self.nodes.push(node)
                    descend = True
            if descend and node.first_child != NULL:
                self.push_scope(&child)
                node = node.first_child
                continue
            if descend and kind & K_BLOCK:
                self.exit_block()
            # next in document order, closing the blocks left on the way up
            while node != self.root and node.next == NULL:
                node = node.parent
                self.n_scopes -= 1
                if self.n_blocks and self.blocks[self.n_blocks - 1].node == node:
                    self.exit_block()
            if node == self.root:
                break
            node = node.next
        budget.nodes = n_nodes
        budget.links = n_links
        if truncated:
            self.flush(NULL, False)
        else:
            self.flush(self.root, False)
        return truncated

    cdef int class_hiding(self, _Attr *cls) except -1:
        """First class (split on whitespace as ``str.split`` does) with a hidden selector."""
        cdef const unsigned char *p = cls.value
        cdef const unsigned char *end = p + cls.len
        cdef const unsigned char *start
        cdef Py_ssize_t w
        cdef int how
        if not _valid_utf8(p, cls.len):
            for c in _attr_str(cls).split():
                data = ("." + c).encode("utf-8", "surrogatepass")
                how = self.hidden_css.codes.get(data, 0)
                if how:
                    return how
            return 0
        while p < end:
            w = _space_len(p, end)
            if w:
                p += w
                continue
            start = p
            while p < end and _space_len(p, end) == 0:
                p += _char_len(p[0])
            if p > end:
                p = end
            how = self.hidden_css.lookup(46, start, p - start)  # "."
            if how:
                return how
        return 0


cdef str _walk(
    LexborHTMLParser tree, LexborNode root, bint tail, dict hidden_css, list out, object budget
):
    cdef _Walker w = _Walker.__new__(_Walker)
    w.parser = tree
    w.root = root.node
    w.nodes = _Ptrs.__new__(_Ptrs)
    w.texts = _Ptrs.__new__(_Ptrs)
    w.out = out
    w.tail = tail
    w.hidden_roots = {}
    w.hidden_css = _HiddenSet(hidden_css)
    w.has_hidden_css = bool(w.hidden_css.codes)
    w.reset()
    return w.walk(budget)


def walk_html(root, *, bint tail, dict hidden_css, list out, budget) -> str:
    """``_segment.walk_html`` on a node of a selectolax tree."""
    return _walk((<LexborNode> root).parser, root, tail, hidden_css, out, budget)

# ---------------------------------------------------------------------------------------------
# Pre-parse checks: one pass over the markup for the nesting estimate and the document's end

ctypedef fused _uchar:
    Py_UCS1
    Py_UCS2
    Py_UCS4

cdef struct _NameSlot:
    uint64_t hash  # 0: empty
    int len
    int open_now
    int peak
    char name[48]

cdef struct _Names:
    _NameSlot *slots
    Py_ssize_t cap
    Py_ssize_t used

cdef struct _EndTag:
    Py_ssize_t start
    Py_ssize_t end
    bint body

cdef struct _Markup:
    Py_ssize_t lt  # number of "<"
    Py_ssize_t options
    Py_ssize_t peaks  # sum over element names of their deepest open count
    _EndTag ends[8]  # the last eight </body> / </html> (ring)
    Py_ssize_t n_ends

cdef _Names _FLAT_NAMES


cdef uint64_t _hash_name(const char *name, int n) noexcept nogil:
    cdef uint64_t h = 1469598103934665603ULL
    cdef int i
    for i in range(n):
        h ^= <unsigned char> name[i]
        h *= 1099511628211ULL
    return h | 1


cdef _NameSlot *_find(_Names *names, const char *name, int n, uint64_t h) noexcept nogil:
    cdef Py_ssize_t i = h & (names.cap - 1)
    cdef _NameSlot *slot
    while True:
        slot = &names.slots[i]
        if slot.hash == 0:
            return slot
        if slot.hash == h and slot.len == n and memcmp(slot.name, name, n) == 0:
            return slot
        i = (i + 1) & (names.cap - 1)


cdef _NameSlot *_intern(_Names *names, const char *name, int n) except NULL:
    cdef uint64_t h = _hash_name(name, n)
    cdef _NameSlot *slot
    cdef _NameSlot *old
    cdef Py_ssize_t old_cap, i
    if (names.used + 1) * 2 > names.cap:
        old = names.slots
        old_cap = names.cap
        names.cap = old_cap * 2 if old_cap else 64
        names.slots = <_NameSlot *> PyMem_Malloc(names.cap * sizeof(_NameSlot))
        if names.slots == NULL:
            names.slots = old
            names.cap = old_cap
            raise MemoryError()
        memset(names.slots, 0, names.cap * sizeof(_NameSlot))
        for i in range(old_cap):
            if old[i].hash:
                _find(names, old[i].name, old[i].len, old[i].hash)[0] = old[i]
        PyMem_Free(old)
    slot = _find(names, name, n, h)
    if slot.hash == 0:
        slot.hash = h
        slot.len = n
        memcpy(slot.name, name, n)
        names.used += 1
    return slot


cdef bint _has(_Names *names, const char *name, int n) noexcept nogil:
    if names.cap == 0:
        return False
    return _find(names, name, n, _hash_name(name, n)).hash != 0


cdef int _init_flat() except -1:
    cdef bytes name
    memset(&_FLAT_NAMES, 0, sizeof(_Names))
    for text in _html._FLAT:
        name = text.encode("ascii")
        if len(name) > 41:
            raise ImportError(f"element name {text!r} is longer than the nesting estimate reads")
        _intern(&_FLAT_NAMES, name, len(name))
    return 0


_init_flat()


cdef inline bint _ascii_letter(Py_UCS4 c) noexcept nogil:
    return (65 <= c <= 90) or (97 <= c <= 122)


cdef inline bint _name_char(Py_UCS4 c) noexcept nogil:
    return _ascii_letter(c) or (48 <= c <= 57) or c == 58 or c == 95 or c == 45


cdef int _scan(const _uchar *s, Py_ssize_t n, _Markup *m, _Names *names) except -1:
    """Count ``<``; estimate nesting as ``_html._could_be_deep``; note where ``</body>``/``</html>`` are."""
    cdef Py_ssize_t i = 0, j, k, start
    cdef char name[48]
    cdef int length
    cdef bint closing
    cdef _NameSlot *slot
    cdef const void *hit
    cdef _EndTag *e
    while i < n:
        if _uchar is Py_UCS1:
            hit = memchr(s + i, 60, n - i)
            if hit == NULL:
                break
            i = <const Py_UCS1 *> hit - s
        else:
            while i < n and <uint32_t> s[i] != 60:
                i += 1
            if i >= n:
                break
        m.lt += 1
        start = i
        i += 1
        closing = i < n and <uint32_t> s[i] == 47
        j = i + 1 if closing else i
        if closing and j < n and _ascii_letter(<uint32_t> s[j]):
            # </body> or </html>, any case, whitespace before ">"
            if j + 4 <= n:
                for k in range(4):
                    name[k] = <char> ((<uint32_t> s[j + k]) | 32) if _ascii_letter(<uint32_t> s[j + k]) else 0
                if (memcmp(name, b"body", 4) == 0 or memcmp(name, b"html", 4) == 0):
                    k = j + 4
                    while k < n and _is_space_cp(<uint32_t> s[k]):
                        k += 1
                    if k < n and <uint32_t> s[k] == 62:
                        e = &m.ends[m.n_ends % 8]
                        e.start = start
                        e.end = k + 1
                        e.body = name[0] == b"b"
                        m.n_ends += 1
        elif closing or not (j < n and _ascii_letter(<uint32_t> s[j])):
            continue
        # the element name, as ``<(/?)([A-Za-z][A-Za-z0-9:_-]{0,40})`` captures it, lower-cased
        length = 0
        while j < n and length < 41 and _name_char(<uint32_t> s[j]):
            name[length] = <char> ((<uint32_t> s[j]) | 32) if _ascii_letter(<uint32_t> s[j]) else <char> (<uint32_t> s[j])
            length += 1
            j += 1
        i = j
        if _has(&_FLAT_NAMES, name, length):
            if length == 6 and memcmp(name, b"option", 6) == 0:
                m.options += 1
            continue
        slot = _intern(names, name, length)
        if closing:
            if slot.open_now:
                slot.open_now -= 1
        else:
            slot.open_now += 1
            if slot.open_now > slot.peak:
                m.peaks += slot.open_now - slot.peak
                slot.peak = slot.open_now
    return 0


cdef int _scan_str(str html, _Markup *m) except -1:
    cdef _Names names
    cdef int kind = PyUnicode_KIND(html)
    cdef void *data = PyUnicode_DATA(html)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(html)
    memset(m, 0, sizeof(_Markup))
    memset(&names, 0, sizeof(_Names))
    try:
        if kind == PyUnicode_1BYTE_KIND:
            _scan(<const Py_UCS1 *> data, n, m, &names)
        elif kind == PyUnicode_2BYTE_KIND:
            _scan(<const Py_UCS2 *> data, n, m, &names)
        else:
            _scan(<const Py_UCS4 *> data, n, m, &names)
    finally:
        PyMem_Free(names.slots)
    return 0


cdef inline bint _needs_taming(_Markup *m) noexcept:
    return m.lt > _html.MAX_DEPTH and (m.peaks > _html.MAX_DEPTH // 2 or m.options > _html._MAX_OPTIONS)


def needs_taming(str html) -> bool:
    """``_html.needs_taming``."""
    cdef _Markup m
    _scan_str(html, &m)
    return _needs_taming(&m)


cdef str _tame(str html):
    cdef _Markup m
    _scan_str(html, &m)
    return _html.flatten(html) if _needs_taming(&m) else html


_only_comments = _html._ONLY_COMMENTS.fullmatch
_split_tail = _html.split_tail
_flatten = _html.flatten


def prepare(str html) -> tuple:
    """``(main, tail)`` as ``_html.parse`` feeds them to lexbor: tail split off, both tamed."""
    cdef _Markup m
    cdef _EndTag *last
    cdef _EndTag *e
    cdef Py_ssize_t i, first
    _scan_str(html, &m)
    if m.n_ends:
        # The reference's first test: text after the last </body> (or </html>) of the last eight.
        first = m.n_ends - 8 if m.n_ends > 8 else 0
        last = NULL
        for i in range(first, m.n_ends):
            e = &m.ends[i % 8]
            if e.body:
                last = e
        if last == NULL:
            last = &m.ends[(m.n_ends - 1) % 8]
        after = html[last.end:]
        if after and not _only_comments(after):
            main, tail = _split_tail(html)
            if tail:
                return _tame(main), _tame(tail)
    return (_flatten(html) if _needs_taming(&m) else html), ""


def segment_html(str html, *, Py_ssize_t max_nodes=2_000_000, Py_ssize_t max_links=500_000):
    """``_segment.segment_html``, natively."""
    main, tail = prepare(html)
    tree = LexborHTMLParser(main)
    tail_tree = LexborHTMLParser(tail) if tail else None
    hidden_css = _segment.page_hiding(tree, tail_tree, hidden_selectors)
    budget = _segment.Budget(max_nodes, max_links)
    segments, truncated = _segment.walk_trees(tree, tail_tree, hidden_css, budget, walk_html)
    return Page(segments, "html", _html.base_url(tree), tree, tail_tree, html, truncated)

# ---------------------------------------------------------------------------------------------
# Tree scoring on packed nodes

def tree_raw(const float[:, ::1] X, const float[:, ::1] thresholds, const int32_t[:, ::1] features,
             const double[:, ::1] leaves, double baseline):
    """``SegmentModel.raw`` for a float32 matrix, on ``SegmentModel.complete_trees``.

    Trees outside, rows inside: one tree's nodes stay in cache while every row walks it,
    and eight walks at a time do not depend on each other, so the CPU overlaps them.
    """
    cdef Py_ssize_t n = X.shape[0], n_features = X.shape[1], n_trees = thresholds.shape[0]
    cdef Py_ssize_t n_split = thresholds.shape[1], i, t, k, d, depth = 0
    cdef const float *r0
    cdef const float *r1
    cdef const float *r2
    cdef const float *r3
    cdef const float *r4
    cdef const float *r5
    cdef const float *r6
    cdef const float *r7
    cdef const float *thr
    cdef const int32_t *feat
    cdef const double *leaf
    cdef Py_ssize_t k0, k1, k2, k3, k4, k5, k6, k7
    out = np.full(n, baseline, dtype=np.float64)
    cdef double[::1] acc = out
    while ((<Py_ssize_t> 1) << depth) - 1 < n_split:
        depth += 1
    if ((<Py_ssize_t> 1) << depth) - 1 != n_split or leaves.shape[1] != n_split + 1:
        raise ValueError("trees are not complete: 2**depth - 1 split nodes and 2**depth leaves each")
    if features.shape[0] != n_trees or features.shape[1] != n_split or leaves.shape[0] != n_trees:
        raise ValueError("thresholds, features and leaves describe different trees")
    for t in range(n_trees):
        for k in range(n_split):
            if features[t, k] < 0 or features[t, k] >= n_features:
                raise ValueError("split on a feature outside the matrix")
    if n == 0 or n_trees == 0:
        return out
    with nogil:
        for t in range(n_trees):
            thr = &thresholds[t, 0] if n_split else NULL
            feat = &features[t, 0] if n_split else NULL
            leaf = &leaves[t, 0]
            i = 0
            while i + 8 <= n:  # eight independent walks at a time, for the CPU to overlap
                r0 = &X[i, 0]
                r1 = &X[i + 1, 0]
                r2 = &X[i + 2, 0]
                r3 = &X[i + 3, 0]
                r4 = &X[i + 4, 0]
                r5 = &X[i + 5, 0]
                r6 = &X[i + 6, 0]
                r7 = &X[i + 7, 0]
                k0 = k1 = k2 = k3 = k4 = k5 = k6 = k7 = 0
                for d in range(depth):
                    # not (x <= t): right, as for NaN in the reference's ``np.where(x <= t, ...)``
                    k0 = 2 * k0 + 1 + (not (r0[feat[k0]] <= thr[k0]))
                    k1 = 2 * k1 + 1 + (not (r1[feat[k1]] <= thr[k1]))
                    k2 = 2 * k2 + 1 + (not (r2[feat[k2]] <= thr[k2]))
                    k3 = 2 * k3 + 1 + (not (r3[feat[k3]] <= thr[k3]))
                    k4 = 2 * k4 + 1 + (not (r4[feat[k4]] <= thr[k4]))
                    k5 = 2 * k5 + 1 + (not (r5[feat[k5]] <= thr[k5]))
                    k6 = 2 * k6 + 1 + (not (r6[feat[k6]] <= thr[k6]))
                    k7 = 2 * k7 + 1 + (not (r7[feat[k7]] <= thr[k7]))
                acc[i] += leaf[k0 - n_split]
                acc[i + 1] += leaf[k1 - n_split]
                acc[i + 2] += leaf[k2 - n_split]
                acc[i + 3] += leaf[k3 - n_split]
                acc[i + 4] += leaf[k4 - n_split]
                acc[i + 5] += leaf[k5 - n_split]
                acc[i + 6] += leaf[k6 - n_split]
                acc[i + 7] += leaf[k7 - n_split]
                i += 8
            while i < n:
                r0 = &X[i, 0]
                k0 = 0
                for d in range(depth):
                    k0 = 2 * k0 + 1 + (not (r0[feat[k0]] <= thr[k0]))
                acc[i] += leaf[k0 - n_split]
                i += 1
    return out


# ---------------------------------------------------------------------------------------------
# The learned text signal: ``_textmodel.text_scores`` in one pass per text

cdef extern from "math.h" nogil:
    double sqrt(double x)

cdef uint64_t _NGRAM_P = 0x100000001B3ULL
cdef uint64_t _NGRAM_MIX = 0x9E3779B97F4A7C15ULL
cdef uint64_t _NGRAM_SALT = 0xC2B2AE3D27D4EB4FULL


def text_scores(list texts, const float[::1] weights, double bias, tuple orders):
    """``_textmodel.text_scores``: the same buckets, summed in the same order, so equal bits.

    The reference hashes the whole batch order by order; an n-gram never has a text frame
    strictly inside it, so each text can be hashed alone inside its own frame.  Its weights
    are still added order by order, position by position, as the reference's ``bincount``
    adds them, so the float sums round alike.
    """
    cdef Py_ssize_t n_texts = len(texts), n_weights = weights.shape[0], longest = 0
    cdef Py_ssize_t k, i, j, w, n_orders, o
    cdef int bits = 0, n, spaces, shift
    cdef int order_list[8]
    cdef uint64_t c, h, salt, top
    cdef double total, score
    cdef Py_ssize_t grams
    cdef Py_UCS4 ch
    cdef str text
    if n_weights < 2:
        raise ValueError("a text model needs at least two weights")
    while ((<Py_ssize_t> 1) << (bits + 1)) <= n_weights:
        bits += 1
    if bits > 32:
        raise ValueError("a text model of more than 2**32 weights")
    shift = 64 - bits
    wanted = sorted({int(x) for x in orders})
    if not wanted or min(wanted) < 1 or max(wanted) > 8:
        raise ValueError("text model orders must be integers in [1, 8]")
    n_orders = len(wanted)
    for o in range(n_orders):
        order_list[o] = wanted[o]
    for k in range(n_texts):
        text = texts[k]
        if len(text) > longest:
            longest = len(text)
    out = np.empty(n_texts, dtype=np.float32)
    cdef float[::1] res = out
    codes_arr = np.empty(longest + 2, dtype=np.uint64)
    space_arr = np.empty(longest + 2, dtype=np.uint8)
    cdef uint64_t[::1] codes = codes_arr
    cdef unsigned char[::1] space = space_arr
    for k in range(n_texts):
        text = texts[k]
        codes[0] = 0x20  # the text's frames read as word boundaries
        space[0] = 1
        i = 1
        for ch in text:
            c = <uint64_t> ch
            if 0x30 <= c <= 0x39:
                c = 0x30
            elif c == 0 or c == 0x20 or c == 0x0A or c == 0x09:
                c = 0x20
            codes[i] = c
            space[i] = c == 0x20
            i += 1
        codes[i] = 0x20
        space[i] = 1
        w = i + 1
        total = 0.0
        grams = 0
        for o in range(n_orders):
            n = order_list[o]
            if w < n:
                continue
            salt = _NGRAM_SALT * <uint64_t> n
            # The n-gram at i is Horner's sum of its codes (mod 2**64); the next one rolls it on:
            # take out the first code's term, shift, add the new code (the same value, exactly).
            top = 1
            h = 0
            spaces = 0
            for j in range(n):
                h = h * _NGRAM_P + codes[j]
                spaces += space[j]
                if j:
                    top = top * _NGRAM_P
            for i in range(w - n + 1):
                if i:
                    h = (h - codes[i - 1] * top) * _NGRAM_P + codes[i + n - 1]
                    spaces += space[i + n - 1] - space[i - 1]
                if spaces == n:
                    continue
                total += <double> weights[((h ^ salt) * _NGRAM_MIX) >> shift]
                grams += 1
        score = bias + total / sqrt(<double> (grams if grams > 0 else 1))
        if score < -12.0:
            score = -12.0
        elif score > 12.0:
            score = 12.0
        res[k] = <float> score
    return out


# ---------------------------------------------------------------- links of a page (``_features.link_table``)

cdef tuple _NO_FLAGS = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


cdef inline uint32_t _ascii_lower(Py_UCS4 c) noexcept nogil:
    cdef uint32_t x = c
    return x + 32 if 65 <= x <= 90 else x


cdef bint _skipped(str href, tuple prefixes):
    """``href.lower().startswith(prefixes)`` for lower-case ASCII ``prefixes``.  Only two non-ASCII letters lower-case to ASCII
    (the Kelvin sign to ``k``, dotted capital I to ``i`` and a combining dot) and neither can
    complete one of these prefixes, so an ASCII case-folding comparison is the same test."""
    cdef Py_ssize_t n = len(href), i, m
    cdef str prefix
    for prefix in prefixes:
        m = len(prefix)
        if n < m:
            continue
        for i in range(m):
            if _ascii_lower(href[i]) != <uint32_t> (<Py_UCS4> prefix[i]):
                break
        else:
            return True
    return False


cdef bint _has_double_slash(str s, Py_ssize_t within, Py_ssize_t gap):
    """Whether ``s[:within]`` holds ``//`` (``gap`` 0) or ``://`` (``gap`` 1)."""
    cdef Py_ssize_t n = min(len(s), within), i
    for i in range(n - 1 - gap):
        if gap and s[i] != u':':
            continue
        if s[i + gap] == u'/' and s[i + gap + 1] == u'/':
            return True
    return False


cdef bint _plain_rooted(str href):
    """``_domains._PLAIN_ROOTED.match(href)``: ``/`` then printable ASCII other than ``"`` ``#`` ``;``
    with no ``/.``, ``//`` or ``?#`` and no ``?`` or ``#`` at the end."""
    cdef Py_ssize_t n = len(href), i
    cdef Py_UCS4 c, prev = 0
    if n == 0 or href[0] != u'/':
        return False
    for i in range(n):
        c = href[i]
        if not (c == 0x21 or 0x24 <= c <= 0x3A or 0x3C <= c <= 0x7E):
            return False
        if i and ((prev == u'/' and (c == u'.' or c == u'/')) or (prev == u'?' and c == u'#')):
            return False
        prev = c
    return not (prev == u'?' or prev == u'#')


cdef inline bint _scheme_char(Py_UCS4 c) noexcept nogil:
    return _ascii_letter(c) or (48 <= c <= 57) or c == 43 or c == 46 or c == 45


cdef inline bint _netloc_char(Py_UCS4 c) noexcept nogil:
    return _ascii_letter(c) or (48 <= c <= 57) or c == 46 or c == 45


cdef Py_ssize_t _simple_netloc(str url, Py_ssize_t *host_start) except -2:
    """``_domains._SIMPLE_NETLOC.match(url)``: the end of the host (its start in ``host_start``),
    or -1 when the URL is not that simple.  The pattern cannot backtrack into another match: a
    scheme ends at the only ``:`` after its run, a host or port run at a character it cannot hold."""
    cdef Py_ssize_t n = len(url), i = 0, p, h
    cdef Py_UCS4 c
    p = -1
    if n and _ascii_letter(url[0]):
        i = 1
        while i < n and _scheme_char(url[i]):
            i += 1
        if i + 2 < n and url[i] == u':' and url[i + 1] == u'/' and url[i + 2] == u'/':
            p = i + 3
    if p < 0:
        if n >= 2 and url[0] == u'/' and url[1] == u'/':
            p = 2
        else:
            return -1
    h = p
    while h < n and _netloc_char(url[h]):
        h += 1
    i = h
    if i < n and url[i] == u':':
        i += 1
        while i < n and 0x30 <= url[i] <= 0x39:
            i += 1
    if i < n:
        c = url[i]
        if not (c == u'/' or c == u'?' or c == u'#'):
            return -1
    host_start[0] = p
    return h


cdef bint _is_root(str url, Py_ssize_t after):
    """``_features._url_parts``'s second answer from ``rest = url[after:]``: the path is empty or
    ``/`` and there is no query."""
    cdef Py_ssize_t n = len(url), i = after
    cdef Py_UCS4 c
    while i < n:
        c = url[i]
        if c == u'/' or c == u'?' or c == u'#':
            break
        i += 1
    if i >= n or url[i] == u'#':
        return True
    if url[i] == u'/':
        i += 1
        if i >= n or url[i] == u'#':
            return True
        if url[i] != u'?':
            return False
    # url[i] is the ``?`` that opens the query: empty when the fragment or the end follows.
    return i + 1 >= n or url[i + 1] == u'#'


cdef str _url_words(str url):
    """``URL_WORDS.sub(" ", url[:300].lower())``: runs of characters other than ASCII digits and
    letters and U+00C0-U+FFFF become one space."""
    cdef str low = url[:300].lower()
    cdef Py_ssize_t n = len(low), i
    cdef Py_UCS4 c
    cdef bint in_run = False
    cdef list parts = []
    cdef Py_ssize_t start = 0
    for i in range(n):
        c = low[i]
        if (0x30 <= c <= 0x39) or (0x61 <= c <= 0x7A) or (0xC0 <= c <= 0xFFFF):
            if in_run:
                parts.append(u' ')
                start = i
                in_run = False
        else:
            if not in_run:
                if i > start:
                    parts.append(low[start:i])
                in_run = True
    if in_run:
        parts.append(u' ')
    elif n > start:
        parts.append(low[start:n])
    return u''.join(parts)


cdef bint _maybe_redirect(str url):
    """Whether ``url`` can hold ``_domains.REDIRECT_HINT`` (a parameter or query starting with
    ``http``, or Google's ``/amp/s/``): every link it lets through is checked by the reference.
    ``_domains._may_redirect`` in one pass over the characters."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(url), i
    cdef int kind = PyUnicode_KIND(url)
    cdef const void *data = PyUnicode_DATA(url)
    cdef Py_UCS4 c, d
    for i in range(n - 1):
        c = PyUnicode_READ(kind, data, i)
        if c == 61 or c == 63:  # = ?
            d = PyUnicode_READ(kind, data, i + 1)
            if d == 104 or d == 72:  # h H
                return True
        elif c == 47 and i + 6 < n:  # /amp/s/
            if (
                PyUnicode_READ(kind, data, i + 1) == 97 and PyUnicode_READ(kind, data, i + 2) == 109
                and PyUnicode_READ(kind, data, i + 3) == 112 and PyUnicode_READ(kind, data, i + 4) == 47
                and PyUnicode_READ(kind, data, i + 5) == 115 and PyUnicode_READ(kind, data, i + 6) == 47
            ):
                return True
    return False


def may_redirect(str url) -> bool:
    """:func:`_maybe_redirect` (for the tests)."""
    return _maybe_redirect(url)


# The 64 flag tuples a link can have, by bits (offsite 1, raw IP 2, institutional 4, digits 8,
# spam host 16, bare root 32): one object each instead of a new tuple per link.
cdef tuple _FLAG_TUPLES = tuple(
    tuple(1.0 if bits & (1 << b) else 0.0 for b in range(6)) for bits in range(64)
)


def link_table(list segments, object base, str home, tuple reference):
    """``_features._link_table``: the judged links of a page as six lists (hrefs, anchors, segment
    numbers, domains, flags, off-site URL words).

    The common links are read here: absolute URLs with a plain ``scheme://host[:port]``, and
    ``/path`` links on an http(s) base.  Anything else goes to the reference helpers in
    ``reference`` (the skipped schemes, then ``absolute``, ``url_parts``, ``origin``,
    ``host_info``, ``host_has_term``, ``redirect_target`` for the links that may be redirects),
    which also keep the caches of host lookups."""
    skip, absolute, url_parts, origin_of, host_info, host_has_term, redirect_target = reference
    cdef list hrefs = [], anchors_out = [], seg_out = [], domains = [], flags = [], words = []
    cdef Py_ssize_t s, k, n_links, host_start, host_end
    cdef str href, url, host, dom, origin = None
    cdef bint has_base = bool(base), off, is_root
    cdef object seg, links, anchors, info
    for s in range(len(segments)):
        seg = segments[s]
        links = seg.links
        if not links:
            continue
        anchors = seg.anchors
        n_links = len(links)
        same = len(anchors) == n_links
        for k in range(n_links):
            href = links[k].strip()
            if not href or _skipped(href, skip):
                continue
            if not has_base or _has_double_slash(href, 12, 1):
                url = href
            elif _plain_rooted(href):
                if origin is None:
                    origin = origin_of(base)
                url = origin + href if origin else absolute(href, base)
            else:
                url = absolute(href, base)
            hrefs.append(url)
            anchors_out.append(anchors[k] if same else u'')
            seg_out.append(s)
            if _maybe_redirect(url):  # judged by where an open redirect sends it
                url = redirect_target(url)
            if _has_double_slash(url, 12, 0):
                host_end = _simple_netloc(url, &host_start)
                if host_end >= 0:
                    host = url[host_start:host_end].lower().rstrip(u'.')
                    is_root = _is_root(url, url.find(u'//') + 2)
                else:
                    host, is_root = url_parts(url)
            elif len(url) >= 4 and url[:4].lower() == u'www.':
                host, is_root = url_parts(url)
            else:
                host, is_root = u'', False
            info = host_info(host)
            dom = info[0]
            domains.append(dom)
            if not dom:
                flags.append(_NO_FLAGS)
                words.append(u'')
                continue
            off = dom != home
            flags.append(
                _FLAG_TUPLES[
                    (1 if off else 0)
                    | (2 if info[1] else 0)
                    | (4 if (info[2] and off) else 0)
                    | (8 if (info[3] and not info[1]) else 0)
                    | (16 if host_has_term(dom) else 0)
                    | (32 if (is_root and off) else 0)
                ]
            )
            words.append(_url_words(url) if off else u'')
    return hrefs, anchors_out, seg_out, domains, flags, words


# ---------------------------------------------------------------- text features (``_features``, ``_lexicon``, ``_normalize``)

cdef extern from "Python.h":
    Py_UCS4 PyUnicode_READ(int kind, const void *data, Py_ssize_t index) nogil
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch) nogil
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch) nogil

cdef extern from "stdlib.h" nogil:
    void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))


cdef inline bint _az(Py_UCS4 c) noexcept nogil:
    return 97 <= c <= 122


cdef inline bint _az09(Py_UCS4 c) noexcept nogil:
    return 97 <= c <= 122 or 48 <= c <= 57


cdef inline bint _re_word(Py_UCS4 c) noexcept nogil:
    """``re``'s ``\\w`` on a str: alphanumeric (str.isalnum) or the underscore."""
    if c < 128:
        return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c == 95
    return Py_UNICODE_ISALNUM(c)


cdef inline bint _leet_set(Py_UCS4 c) noexcept nogil:
    """``[a-z0-9@$]``."""
    return 97 <= c <= 122 or 48 <= c <= 57 or c == 64 or c == 36


cdef inline bint _in_run(Py_UCS4 c, bint leet) noexcept nogil:
    return _leet_set(c) if leet else _az09(c)


cdef Py_ssize_t _next_token(
    int kind, const void *data, Py_ssize_t m, Py_ssize_t *pos, bint leet, Py_ssize_t shortest, Py_ssize_t longest
) noexcept nogil:
    """Start of the next token at or after ``*pos`` (left at the token's end); -1 when there is
    none.  A token is a whole run of ``[a-z0-9]`` (``[a-z0-9@$]`` with ``leet``), ``shortest`` to
    ``longest`` long, with no word character on either side, nor ``@``/``$`` with ``leet``; without
    it, no ``.``, ``-`` or ``/`` before and no ``-`` after (the brand pattern's look-arounds)."""
    cdef Py_ssize_t i = pos[0], start
    cdef Py_UCS4 c
    while True:
        while i < m and not _in_run(PyUnicode_READ(kind, data, i), leet):
            i += 1
        if i >= m:
            pos[0] = m
            return -1
        start = i
        while i < m and _in_run(PyUnicode_READ(kind, data, i), leet):
            i += 1
        if not shortest <= i - start <= longest:
            continue
        if start > 0:
            c = PyUnicode_READ(kind, data, start - 1)
            if _re_word(c) or (c == 64 or c == 36 if leet else c == 46 or c == 45 or c == 47):
                continue
        if i < m:
            c = PyUnicode_READ(kind, data, i)
            if _re_word(c) or (c == 64 or c == 36 if leet else c == 45):
                continue
        pos[0] = i
        return start


cdef inline bint _alnum(Py_UCS4 c) noexcept nogil:
    """``str.isalnum`` of one character."""
    if c < 128:
        return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122
    return Py_UNICODE_ISALNUM(c)


cdef inline bint _space(Py_UCS4 c) noexcept nogil:
    """What ``str.split()`` and ``re``'s ``\\s`` split on."""
    if c < 128:
        return c == 32 or 9 <= c <= 13 or 28 <= c <= 31
    return Py_UNICODE_ISSPACE(c)


def text_stats(list texts, const uint32_t[::1] edges, const int64_t[::1] script_of_bin, Py_ssize_t n_scripts):
    """``_features._text_stats``: characters, letters per script, whitespace tokens and sentence
    punctuation of each text, in one pass over its characters (float32, as the reference
    converts its integer counts)."""
    cdef Py_ssize_t n = len(texts), k, i, m, n_edges = edges.shape[0], n_bins = script_of_bin.shape[0]
    cdef int kind
    cdef const void *data
    cdef Py_UCS4 c
    cdef int64_t script, tokens, punct
    cdef bint in_token
    cdef str text
    if n_bins != n_edges + 1:
        raise ValueError("script_of_bin needs one entry more than edges")
    for i in range(n_bins):
        if not 0 <= script_of_bin[i] < n_scripts:
            raise ValueError("script number out of range")
    chars_arr = np.zeros(n, dtype=np.float32)
    tokens_arr = np.zeros(n, dtype=np.float32)
    punct_arr = np.zeros(n, dtype=np.float32)
    scripts_arr = np.zeros((n, n_scripts), dtype=np.float32)
    counts_arr = np.zeros(n_scripts, dtype=np.int64)
    cdef float[::1] chars_v = chars_arr, tokens_v = tokens_arr, punct_v = punct_arr
    cdef float[:, ::1] scripts_v = scripts_arr
    cdef int64_t[::1] counts = counts_arr
    cdef int64_t ascii_script[128]
    for i in range(128):
        # ASCII punctuation and digits count as no script; letters by their block.
        ascii_script[i] = script_of_bin[_bin(edges, i)] if (65 <= i <= 90 or 97 <= i <= 122) else 0
    for k in range(n):
        text = texts[k]
        m = PyUnicode_GET_LENGTH(text)
        kind = PyUnicode_KIND(text)
        data = PyUnicode_DATA(text)
        counts[:] = 0
        tokens = 0
        punct = 0
        in_token = False
        for i in range(m):
            c = PyUnicode_READ(kind, data, i)
            if _space(c):
                in_token = False
            elif not in_token:
                in_token = True
                tokens += 1
            if c < 128:
                counts[ascii_script[c]] += 1
                if c == 46 or c == 33 or c == 63 or c == 59 or c == 58 or c == 44:  # . ! ? ; : ,
                    if i + 1 == m or _space(PyUnicode_READ(kind, data, i + 1)):
                        punct += 1
                continue
            counts[script_of_bin[_bin(edges, c)]] += 1
            if c == 0x3002 or c == 0xFF0C or c == 0x3001 or c == 0x0E2F:
                punct += 1
        chars_v[k] = <float> m
        tokens_v[k] = <float> tokens
        punct_v[k] = <float> punct
        for i in range(1, n_scripts):
            scripts_v[k, i] = <float> counts[i]
    return chars_arr, scripts_arr, tokens_arr, punct_arr


cdef inline Py_ssize_t _bin(const uint32_t[::1] edges, Py_UCS4 c) noexcept nogil:
    """``np.searchsorted(edges, c, side="right")``."""
    cdef Py_ssize_t lo = 0, hi = edges.shape[0], mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if edges[mid] <= c:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef bint _brand_token(int kind, const void *data, Py_ssize_t a, Py_ssize_t b, tuple suffixes) except -1:
    """Whether the lower-case token ``[a, b)`` has a brand shape: three letters, then anything,
    ending in a brand suffix with three characters before it; or 2-4 digits then 4+ letters."""
    cdef Py_ssize_t size = b - a, i, j, d = 0
    cdef str suffix
    cdef bint ok
    if _az(PyUnicode_READ(kind, data, a)) and _az(PyUnicode_READ(kind, data, a + 1)) and _az(PyUnicode_READ(kind, data, a + 2)):
        for suffix in suffixes:
            j = len(suffix)
            if size - j < 3:
                continue
            ok = True
            for i in range(j):
                if PyUnicode_READ(kind, data, b - j + i) != <Py_UCS4> suffix[i]:
                    ok = False
                    break
            if ok:
                return True
    while d < size and 48 <= PyUnicode_READ(kind, data, a + d) <= 57:
        d += 1
    if d < 2 or d > 4 or size - d < 4:
        return False
    for i in range(a + d, b):
        if not _az(PyUnicode_READ(kind, data, i)):
            return False
    return True


def brand_counts(list texts, tuple suffixes):
    """``_lexicon._Lexicon.brand_counts``: brand-shaped tokens per text.  A token is a whole run of
    ``[a-z0-9]`` (4 to 64 of them) with no word character, ``.``, ``-`` or ``/`` before it and no
    word character or ``-`` after it, as the reference pattern's look-arounds have it."""
    cdef Py_ssize_t n = len(texts), k, i, m, start
    cdef int kind
    cdef const void *data
    cdef Py_UCS4 c
    cdef float hits
    cdef str text, suffix
    for suffix in suffixes:
        if not suffix:
            raise ValueError("an empty brand suffix")
    out = np.zeros(n, dtype=np.float32)
    cdef float[::1] res = out
    for k in range(n):
        text = texts[k]
        m = PyUnicode_GET_LENGTH(text)
        kind = PyUnicode_KIND(text)
        data = PyUnicode_DATA(text)
        hits = 0.0
        i = 0
        while True:
            start = _next_token(kind, data, m, &i, False, 4, 64)
            if start < 0:
                break
            if _brand_token(kind, data, start, i, suffixes):
                hits += 1.0
        res[k] = hits
    return out


cdef struct _Hit:
    Py_ssize_t start
    Py_ssize_t end
    Py_ssize_t pattern


cdef int _hit_order(const void *x, const void *y) noexcept nogil:
    """By start, the longer hit first (the reference's sort key ``(start, start - end)``)."""
    cdef const _Hit *a = <const _Hit *> x
    cdef const _Hit *b = <const _Hit *> y
    if a.start != b.start:
        return -1 if a.start < b.start else 1
    if a.end != b.end:
        return -1 if a.end > b.end else 1
    return -1 if a.pattern < b.pattern else (1 if a.pattern > b.pattern else 0)


def lexicon_counts(
    str joined,
    list texts,
    list hits,
    object local,
    const int64_t[::1] family_of,
    const unsigned char[::1] free,
    const unsigned char[::1] suffixable,
    frozenset suffixes,
    Py_ssize_t max_suffix,
    float[:, ::1] out,
):
    """``_lexicon._Matcher.counts`` after the automaton: keep the longest valid hit at each
    position (hiding what it overlaps) and add it to its text's family.  ``free`` marks terms
    that need no word boundary (unspaced scripts, glued phrases); a hit followed by letters
    counts only for a ``suffixable`` term whose letters up to the next boundary are one of
    ``suffixes``.  With ``local`` (int64), the hits are of a larger automaton and ``local[pattern]``
    is the term here (``-1``: not a term here)."""
    cdef Py_ssize_t n_hits = len(hits), h, m = PyUnicode_GET_LENGTH(joined), row = 0, covered = 0, kept = 0
    cdef Py_ssize_t pattern, n_local = 0
    cdef const int64_t[::1] local_v
    cdef Py_ssize_t n_terms = family_of.shape[0], n_texts = len(texts), next_start, stop, fam
    cdef int kind = PyUnicode_KIND(joined)
    cdef const void *data = PyUnicode_DATA(joined)
    cdef _Hit *arr
    cdef _Hit hit
    cdef tuple t
    cdef bint ok
    if free.shape[0] != n_terms or suffixable.shape[0] != n_terms:
        raise ValueError("term tables of different lengths")
    if out.shape[0] != n_texts:
        raise ValueError("one output row per text")
    if local is not None:
        local_v = local
        n_local = local_v.shape[0]
    if n_hits == 0:
        return
    arr = <_Hit *> PyMem_Malloc(n_hits * sizeof(_Hit))
    if arr == NULL:
        raise MemoryError()
    try:
        for h in range(n_hits):
            t = hits[h]
            pattern = t[0]
            if local is not None:
                if not 0 <= pattern < n_local:
                    raise ValueError("a hit outside the term table")
                pattern = local_v[pattern]
                if pattern < 0:
                    continue
            arr[kept].pattern = pattern
            arr[kept].start = t[1]
            arr[kept].end = t[2]
            if not (0 <= arr[kept].pattern < n_terms and 0 <= arr[kept].start < arr[kept].end <= m):
                raise ValueError("a hit outside the text or the term table")
            fam = family_of[arr[kept].pattern]
            if not 0 <= fam < out.shape[1]:
                raise ValueError("a family outside the output")
            kept += 1
        qsort(arr, kept, sizeof(_Hit), _hit_order)
        next_start = len(texts[0]) + 1 if n_texts else m + 1
        for h in range(kept):
            hit = arr[h]
            if hit.start < covered:
                continue
            if not free[hit.pattern]:
                if hit.start > 0 and _alnum(PyUnicode_READ(kind, data, hit.start - 1)):
                    continue
                if hit.end < m and _alnum(PyUnicode_READ(kind, data, hit.end)):
                    if not suffixable[hit.pattern]:
                        continue
                    stop = hit.end
                    while stop < m and _alnum(PyUnicode_READ(kind, data, stop)) and stop - hit.end <= max_suffix:
                        stop += 1
                    if stop < m and _alnum(PyUnicode_READ(kind, data, stop)):
                        continue
                    if joined[hit.end:stop] not in suffixes:
                        continue
            covered = hit.end
            while hit.start >= next_start and row + 1 < n_texts:
                row += 1
                next_start += len(texts[row]) + 1
            out[row, family_of[hit.pattern]] += 1.0
    finally:
        PyMem_Free(arr)


def plain_ascii(list texts):
    """``_normalize._plain_ascii``: which texts need only lower-casing: ASCII, no NUL, and none of
    ``_normalize._ASCII_SUSPECT`` in their lower-case form (an entity or escape written out, a
    leet character beside letters, three single letters spaced apart)."""
    cdef Py_ssize_t n = len(texts), k, i, j, m
    cdef const unsigned char *p
    cdef unsigned char c, d
    cdef bint plain
    cdef str text
    cdef list out = [False] * n
    for k in range(n):
        text = texts[k]
        if PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND or not text.isascii():
            continue
        p = <const unsigned char *> PyUnicode_DATA(text)
        m = PyUnicode_GET_LENGTH(text)
        plain = memchr(p, 0, m) == NULL
        i = 0
        while plain and i < m:
            c = _lower(p[i])
            if c == 38:  # &
                if i + 1 < m and p[i + 1] == 35:  # &#
                    plain = False
                else:
                    j = i + 1
                    while j < m and j - i <= 9 and _az(_lower(p[j])):
                        j += 1
                    if 2 <= j - i - 1 <= 8 and j < m and p[j] == 59:  # ;
                        plain = False
            elif c == 92:  # backslash
                if i + 1 < m:
                    d = _lower(p[i + 1])
                    if d == 110 or d == 116 or d == 114 or d == 117 or d == 120:  # n t r u x
                        plain = False
            elif _az(c):
                j = i + 1
                while j < m and _leet(p[j]):
                    j += 1
                if j > i + 1 and j < m and _az(_lower(p[j])):
                    plain = False
                elif (
                    (i == 0 or not _re_word(p[i - 1]))
                    and i + 5 < m
                    and p[i + 1] == 32 and _az(_lower(p[i + 2]))
                    and p[i + 3] == 32 and _az(_lower(p[i + 4]))
                    and p[i + 5] == 32
                ):
                    plain = False
            elif _leet(c):
                if (
                    (i == 0 or not (_re_word(p[i - 1]) or p[i - 1] == 64 or p[i - 1] == 36))
                    and i + 2 < m
                    and _az(_lower(p[i + 1]))
                    and _az(_lower(p[i + 2]))
                ):
                    plain = False
            i += 1
        out[k] = plain
    return out


cdef inline bint _leet(unsigned char c) noexcept nogil:
    """``[013457@$]``."""
    return c == 48 or c == 49 or c == 51 or c == 52 or c == 53 or c == 55 or c == 64 or c == 36


cdef inline bint _invisible(Py_UCS4 c) noexcept nogil:
    """``_normalize.INVISIBLE``."""
    return (
        c == 0xAD or c == 0x34F or c == 0x115F or c == 0x1160 or c == 0x17B4 or c == 0x17B5 or c == 0x180E
        or 0x200B <= c <= 0x200F or 0x202A <= c <= 0x202E or 0x2060 <= c <= 0x2064 or c == 0xFEFF
    )


cdef inline bint _spaced_letter(Py_UCS4 c) noexcept nogil:
    return 97 <= c <= 122 or 0xC0 <= c <= 0x24F


cdef bint _has_leet_token(int kind, const void *data, Py_ssize_t m) noexcept nogil:
    """``_normalize._LEET_TOKEN.search``: a whole run of 3 to 40 ``[a-z0-9@$]`` (no word character,
    ``@`` or ``$`` on either side) with a leet character between two letters, or opening on a leet
    character and two letters."""
    cdef Py_ssize_t i = 0, start, j, k
    cdef Py_UCS4 c
    while True:
        start = _next_token(kind, data, m, &i, True, 3, 40)
        if start < 0:
            break
        if (
            _leet(<unsigned char> PyUnicode_READ(kind, data, start))
            and _az(PyUnicode_READ(kind, data, start + 1))
            and _az(PyUnicode_READ(kind, data, start + 2))
        ):
            return True
        for j in range(start, i):
            if not _az(PyUnicode_READ(kind, data, j)):
                continue
            k = j + 1
            while k < i and _leet(<unsigned char> PyUnicode_READ(kind, data, k)):
                k += 1
            if k > j + 1 and k < i and _az(PyUnicode_READ(kind, data, k)):
                return True
    return False


cdef inline bint _hex(Py_UCS4 c) noexcept nogil:
    return 48 <= c <= 57 or 97 <= c <= 102


cdef Py_ssize_t _class_run(int kind, const void *data, Py_ssize_t i, Py_ssize_t m, int what) noexcept nogil:
    """Length of the run at ``i`` of digits (0), lower-case hex digits (1) or ``a-z`` (2)."""
    cdef Py_ssize_t j = i
    cdef Py_UCS4 c
    while j < m:
        c = PyUnicode_READ(kind, data, j)
        if not (48 <= c <= 57 if what == 0 else (_hex(c) if what == 1 else _az(c))):
            break
        j += 1
    return j - i


cdef bint _has_entity(int kind, const void *data, Py_ssize_t m) noexcept nogil:
    """``_normalize._ENTITY.search`` on lower-case text: ``&#`` and 2-7 digits, ``&#x`` and 2-6 hex
    digits, or ``&`` and 2-8 letters, then ``;``."""
    cdef Py_ssize_t i, r
    for i in range(m):
        if PyUnicode_READ(kind, data, i) != 38:
            continue
        if i + 1 < m and PyUnicode_READ(kind, data, i + 1) == 35:
            r = _class_run(kind, data, i + 2, m, 0)
            if 2 <= r <= 7 and i + 2 + r < m and PyUnicode_READ(kind, data, i + 2 + r) == 59:
                return True
            if i + 2 < m and PyUnicode_READ(kind, data, i + 2) == 120:
                r = _class_run(kind, data, i + 3, m, 1)
                if 2 <= r <= 6 and i + 3 + r < m and PyUnicode_READ(kind, data, i + 3 + r) == 59:
                    return True
        else:
            r = _class_run(kind, data, i + 1, m, 2)
            if 2 <= r <= 8 and i + 1 + r < m and PyUnicode_READ(kind, data, i + 1 + r) == 59:
                return True
    return False


cdef bint _has_escape(int kind, const void *data, Py_ssize_t m) noexcept nogil:
    """``_normalize._ESCAPE.search``: a backslash and ``n``/``t``/``r``, ``u`` and 4 hex digits or
    ``x`` and 2."""
    cdef Py_ssize_t i
    cdef Py_UCS4 c
    for i in range(m - 1):
        if PyUnicode_READ(kind, data, i) != 92:
            continue
        c = PyUnicode_READ(kind, data, i + 1)
        if c == 110 or c == 116 or c == 114:
            return True
        if c == 117 and _class_run(kind, data, i + 2, m, 1) >= 4:
            return True
        if c == 120 and _class_run(kind, data, i + 2, m, 1) >= 2:
            return True
    return False


cdef Py_ssize_t _mixed_words(int kind, const void *data, Py_ssize_t m) noexcept nogil:
    """``len(_normalize._MIXED_WORD.findall(...))``: the runs of word characters holding both an
    ``a-z`` letter and a Greek or Cyrillic word character."""
    cdef Py_ssize_t i, count = 0
    cdef Py_UCS4 c
    cdef bint latin = False, greek = False
    for i in range(m):
        c = PyUnicode_READ(kind, data, i)
        if not _re_word(c):
            if latin and greek:
                count += 1
            latin = greek = False
            continue
        if 97 <= c <= 122:
            latin = True
        elif 0x370 <= c <= 0x4FF:
            greek = True
    if latin and greek:
        count += 1
    return count


def mixed_script_words(list texts):
    """``_normalize.mixed_script_words``: words mixing Latin with Greek or Cyrillic letters per
    text (float32), counted on the lower case of the texts outside ASCII that hold such a letter."""
    cdef Py_ssize_t n = len(texts), k, i, m
    cdef str text, low
    cdef int kind
    cdef const void *data
    cdef bint greek
    out_arr = np.zeros(n, dtype=np.float32)
    cdef float[::1] out = out_arr
    for k in range(n):
        text = texts[k]
        kind = PyUnicode_KIND(text)
        if kind == PyUnicode_1BYTE_KIND:
            continue  # nothing at or above U+0100: no Greek or Cyrillic letter
        data = PyUnicode_DATA(text)
        m = PyUnicode_GET_LENGTH(text)
        greek = False
        for i in range(m):
            if 0x370 <= PyUnicode_READ(kind, data, i) <= 0x4FF:
                greek = True
                break
        if not greek:
            continue
        low = text.lower()
        out[k] = <float> _mixed_words(PyUnicode_KIND(low), PyUnicode_DATA(low), PyUnicode_GET_LENGTH(low))
    return out_arr


def fold_quiet(str text) -> bool:
    """Whether none of ``_normalize.normalize``'s steps after lower-casing changes ``text`` (a
    lower-cased text) or counts a disguise: no invisible character, no word mixing Latin with
    Greek or Cyrillic letters, no entity or escape written out, no leet token, no two single
    letters between spaces.  ``False`` sends the text through every step (the last test is a
    necessary condition of that step, not the step itself)."""
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef const void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 c, prev = 0
    cdef bint amp = False, backslash = False, leet = False, greek = False
    for i in range(m):
        c = PyUnicode_READ(kind, data, i)
        if c < 128:
            if c == 38:
                amp = True
            elif c == 92:
                backslash = True
            elif _leet(<unsigned char> c):
                if _az(prev) or (i + 1 < m and _az(PyUnicode_READ(kind, data, i + 1))):
                    leet = True
            elif c == 32 and i + 4 < m:
                if (
                    _spaced_letter(PyUnicode_READ(kind, data, i + 1))
                    and PyUnicode_READ(kind, data, i + 2) == 32
                    and _spaced_letter(PyUnicode_READ(kind, data, i + 3))
                    and PyUnicode_READ(kind, data, i + 4) == 32
                ):
                    return False
        elif _invisible(c):
            return False
        elif 0x370 <= c <= 0x4FF:
            greek = True
        prev = c
    if greek and _mixed_words(kind, data, m) > 0:
        return False
    if amp and _has_entity(kind, data, m):
        return False
    if backslash and _has_escape(kind, data, m):
        return False
    if leet and _has_leet_token(kind, data, m):
        return False
    return True


def segment_rows(list segments, list hrefs, list seg_of_link, list domains, list flags, list url_words, frozenset seen_hiding):
    """``_features._segment_rows``: each segment's text and link text, six layout values and nine
    link counts (float32), and its absolute links, from the segments and their page's link
    table (``hrefs``, segment numbers, domains, flag 6-tuples, off-site URL words)."""
    cdef Py_ssize_t n = len(segments), n_links = len(hrefs), k, s, j
    cdef object seg, hidden, dom, f
    cdef str words
    cdef list texts = [None] * n, link_texts = [None] * n, urls = [[] for _ in range(n)]
    cdef list seg_words = [None] * n, dom_sets = [None] * n, off_sets = [None] * n
    if not (len(seg_of_link) == len(domains) == len(flags) == len(url_words) == n_links):
        raise ValueError("link table columns of different lengths")
    layout_arr = np.zeros((n, 6), dtype=np.float32)
    stats_arr = np.zeros((n, 9), dtype=np.float32)
    sums_arr = np.zeros((n, 9), dtype=np.float64)
    cdef float[:, ::1] layout = layout_arr, stats = stats_arr
    cdef double[:, ::1] sums = sums_arr
    for k in range(n_links):
        s = seg_of_link[k]
        if not 0 <= s < n:
            raise ValueError("a link of a segment the page does not have")
        sums[s, 0] += 1.0
        (<list> urls[s]).append(hrefs[k])
        dom = domains[k]
        if not dom:
            continue
        if dom_sets[s] is None:
            dom_sets[s] = set()
        (<set> dom_sets[s]).add(dom)
        f = flags[k]
        sums[s, 1] += <double> f[1]
        if f[0]:
            sums[s, 2] += 1.0
            if off_sets[s] is None:
                off_sets[s] = set()
                seg_words[s] = []
            (<set> off_sets[s]).add(dom)
            sums[s, 5] += <double> f[2]
            sums[s, 6] += <double> f[5]
            sums[s, 7] += <double> f[3]
            sums[s, 8] += <double> f[4]
            (<list> seg_words[s]).append(url_words[k])
    for s in range(n):
        seg = segments[s]
        texts[s] = seg.text
        words = u" ".join(seg_words[s]) if seg_words[s] is not None else u""
        link_texts[s] = (seg.anchor_text + u" " + words).strip()
        hidden = seg.hidden
        layout[s, 0] = <float> <double> seg.n_lines
        layout[s, 1] = <float> <double> seg.anchor_chars
        layout[s, 2] = 1.0 if hidden else 0.0
        layout[s, 3] = 1.0 if hidden in seen_hiding else 0.0
        layout[s, 4] = 1.0 if seg.in_footer else 0.0
        layout[s, 5] = 1.0 if seg.after_end else 0.0
        if dom_sets[s] is not None:
            sums[s, 4] = len(<set> dom_sets[s])
        if off_sets[s] is not None:
            sums[s, 3] = len(<set> off_sets[s])
        for j in range(9):
            stats[s, j] = <float> sums[s, j]
    return texts, link_texts, layout_arr, stats_arr, urls


def normalize_many(list texts, object normalize, object is_normalized):
    """``_normalize.normalize_many``: each text folded, and its disguise count (float32).  Texts
    that only need lower-casing are done here (ASCII texts that pass the plain screen, and NFKC
    texts whose lower case passes :func:`fold_quiet`); the others go to ``normalize``."""
    cdef Py_ssize_t n = len(texts), k
    cdef str text, low
    cdef list out = [None] * n
    cdef list plain = plain_ascii(texts)
    marks_arr = np.zeros(n, dtype=np.float32)
    cdef float[::1] marks = marks_arr
    cdef tuple folded
    for k in range(n):
        text = texts[k]
        if plain[k]:
            out[k] = text.lower()
            continue
        if not text.isascii() and is_normalized(u"NFKC", text):
            low = text.lower()
            if fold_quiet(low):
                out[k] = low
                continue
        folded = normalize(text)
        out[k] = folded[0]
        if folded[1]:
            marks[k] = <float> <double> folded[1]
    return out, marks_arr


cdef bint _urlish(str anchor):
    """``_links._URLISH.match``: ``http://``, ``https://`` or ``www.`` opening the anchor, in any
    case (the long s matches ``s`` case-insensitively, as in ``re``)."""
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(anchor), i = 0
    cdef int kind = PyUnicode_KIND(anchor)
    cdef const void *data = PyUnicode_DATA(anchor)
    cdef Py_UCS4 c
    if m >= 4 and _ascii_lower(PyUnicode_READ(kind, data, 0)) == 119:  # www.
        return (
            _ascii_lower(PyUnicode_READ(kind, data, 1)) == 119
            and _ascii_lower(PyUnicode_READ(kind, data, 2)) == 119
            and PyUnicode_READ(kind, data, 3) == 46
        )
    if m < 7:
        return False
    for i, c in enumerate(u"http"):
        if _ascii_lower(PyUnicode_READ(kind, data, i)) != c:
            return False
    i = 4
    c = PyUnicode_READ(kind, data, i)
    if _ascii_lower(c) == 115 or c == 0x17F:  # s, long s
        i += 1
    return (
        i + 3 <= m
        and PyUnicode_READ(kind, data, i) == 58
        and PyUnicode_READ(kind, data, i + 1) == 47
        and PyUnicode_READ(kind, data, i + 2) == 47
    )


def link_rows(list segments, list domains, list flags, list anchors):
    """``_links._link_rows``: per link, its six flags, its domain's link count on the page (0
    without a domain), the share of its segment's links going to that domain, whether the anchor
    is written as a URL, and the anchor's length (float64)."""
    cdef Py_ssize_t n = len(domains), k, j
    cdef object dom, seg, key, f
    cdef dict page_count = {}, seg_count = {}, seg_domain = {}
    cdef str anchor
    if not (len(segments) == len(flags) == len(anchors) == n):
        raise ValueError("link table columns of different lengths")
    flags_arr = np.zeros((n, 6), dtype=np.float64)
    per_arr = np.zeros(n, dtype=np.float64)
    share_arr = np.zeros(n, dtype=np.float64)
    url_arr = np.zeros(n, dtype=np.float64)
    len_arr = np.zeros(n, dtype=np.float64)
    cdef double[:, ::1] fl = flags_arr
    cdef double[::1] per = per_arr, share = share_arr, url = url_arr, lens = len_arr
    for k in range(n):
        dom = domains[k]
        seg = segments[k]
        page_count[dom] = page_count.get(dom, 0) + 1
        seg_count[seg] = seg_count.get(seg, 0) + 1
        key = (seg, dom)
        seg_domain[key] = seg_domain.get(key, 0) + 1
    for k in range(n):
        dom = domains[k]
        seg = segments[k]
        f = flags[k]
        if len(f) != 6:
            raise ValueError("a link's flags are six values")
        for j in range(6):
            fl[k, j] = f[j]
        per[k] = <double> page_count[dom] if dom else 0.0
        share[k] = <double> seg_domain[(seg, dom)] / <double> max(<Py_ssize_t> seg_count[seg], 1)
        anchor = anchors[k]
        url[k] = 1.0 if _urlish(anchor) else 0.0
        lens[k] = <double> PyUnicode_GET_LENGTH(anchor)
    return flags_arr, per_arr, share_arr, url_arr, len_arr


cdef bint _has_word(const char *p, Py_ssize_t n, const char *word, Py_ssize_t k) noexcept nogil:
    """Whether ``word`` (lower-case ASCII) occurs in ``p[:n]`` read with ASCII letters lower-cased."""
    cdef Py_ssize_t i, j
    cdef uint32_t first = <unsigned char> word[0]
    for i in range(n - k + 1):
        if _ascii_lower(<unsigned char> p[i]) != first:
            continue
        j = 1
        while j < k and _ascii_lower(<unsigned char> p[i + j]) == <uint32_t> (<unsigned char> word[j]):
            j += 1
        if j == k:
            return True
    return False


cdef bint _script_hint(const char *p, Py_ssize_t n, tuple hints):
    """Whether ASCII code holds one of ``hints`` (lower-case ASCII words, as bytes)."""
    cdef bytes word
    for word in hints:
        if _has_word(p, n, word, len(word)):
            return True
    return False


cdef int _meta_slot(lxb_dom_attr_t *attr) noexcept nogil:
    """0 for ``name``, 1 for ``http-equiv``, 2 for ``content`` (the attribute's name as selectolax's
    ``attributes`` keys it), -1 for any other."""
    cdef uintptr_t qid = _attr_id(attr)
    if qid == LXB_DOM_ATTR_HTTP_EQUIV:
        return 1
    if qid == LXB_DOM_ATTR_CONTENT:
        return 2
    return 0 if _interned(qid, b"name", 4) else -1


cdef inline bint _is_word(const unsigned char *p, Py_ssize_t n, const char *word, Py_ssize_t m) noexcept nogil:
    """Whether ``p[:n]``, lower-cased, is ``word`` (lower-case ASCII).  Only ASCII letters lower-case
    to the letters of the words asked about here, so a byte comparison is ``str.lower()``'s."""
    return n == m and _word_at(p, n, 0, word, m)


cdef int _read_meta(lxb_dom_node_t *node, bint *noindex, list refreshes) except -1:
    """``_page.meta_facts`` for one ``meta`` element: ``noindex`` set when it is a robots meta
    that says so, its ``content`` appended to ``refreshes`` when it is a refresh."""
    cdef _Attr found[3]
    _read_slots(node, found, 3, _meta_slot)
    if found[0].value != NULL and (
        _is_word(found[0].value, found[0].len, "robots", 6) or _is_word(found[0].value, found[0].len, "googlebot", 9)
    ) and found[2].value != NULL and _has_word(<const char *> found[2].value, found[2].len, "noindex", 7):
        noindex[0] = True
    if found[1].value != NULL and _is_word(found[1].value, found[1].len, "refresh", 7):
        refreshes.append(_decode(<const char *> found[2].value, found[2].len) if found[2].value != NULL else u"")
    return 0


def head_meta(LexborHTMLParser tree, Py_ssize_t max_script, Py_ssize_t budget, tuple hints) -> tuple:
    """``_page.head_meta``: the ``title`` elements of a parsed page (any namespace, document order,
    as ``tree.css`` finds them), what its ``meta`` elements say (``_page.meta_facts``) and the code
    of its inline scripts that may hold a visitor check or a redirect, in one walk with no selector
    engine and no Python object per ``meta``.

    Each script's code is cut at ``max_script`` characters and the scripts read stop when
    ``budget`` characters are spent, as in the reference.  ASCII code is kept only when it holds
    one of the literal ``hints`` (the reference's words, lower-case ASCII bytes); code with other
    characters is kept whole for the reference's own test (case-insensitive matching outside
    ASCII is the pattern's to decide), so the list may hold more than the reference's, never less.
    """
    cdef list titles = [], refreshes = [], codes = []
    cdef lxb_dom_node_t *top
    cdef lxb_dom_node_t *node
    cdef _Attr attrs[N_ATTRS]
    cdef _Buf buf
    cdef uintptr_t name
    cdef Py_ssize_t i, n
    cdef bint ascii, noindex = False
    root = tree.root
    if root is None:
        return titles, (False, refreshes), codes
    top = (<LexborNode> root).node
    memset(&buf, 0, sizeof(buf))
    try:
        node = top
        while node != NULL:
            if node.type == LXB_DOM_NODE_TYPE_ELEMENT:
                name = node.local_name
                if name == LXB_TAG_TITLE:
                    titles.append(LexborNode.new(node, tree))
                elif name == LXB_TAG_META:
                    _read_meta(node, &noindex, refreshes)
                elif name == LXB_TAG_SCRIPT and budget > 0:
                    _read_attrs(node, attrs)
                    if not attrs[A_SRC].present:
                        _deep_text(node, &buf)
                        # Only the part kept counts: ASCII there is that many characters.
                        n = buf.len if buf.len < max_script else max_script
                        ascii = True
                        for i in range(n):
                            if <unsigned char> buf.data[i] >= 0x80:
                                ascii = False
                                break
                        if ascii:
                            budget -= n
                            if _script_hint(buf.data, n, hints):
                                codes.append(_decode(buf.data, n))
                        else:
                            code = _decode(buf.data, buf.len)[:max_script]
                            budget -= len(code)
                            codes.append(code)
            node = _next_in_order(node, top)
    finally:
        _free_buf(&buf)
    return titles, (noindex, refreshes), codes


def drop_fields(list segments, tuple names):
    """``_report.SegmentVerdicts.__post_init__``: each of ``names`` set to ``None`` on every
    segment, so a report does not keep the parse tree alive."""
    cdef object seg
    cdef str name
    for seg in segments:
        for name in names:
            setattr(seg, name, None)


# ---------------------------------------------------------------- the prescreen's folding (``_prescreen._folded``)

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND

import html as _py_html
import unicodedata as _unicodedata

cdef enum:
    _CONF_SIZE = 0x600  # every key of ``_normalize.CONFUSABLE`` is below it

cdef Py_UCS4 _CONF_MAP[_CONF_SIZE]
cdef object _conf_table = None


cdef int _load_confusable(dict table) except -1:
    """``_CONF_MAP`` from ``str.maketrans``'s table (code point to code point), once per table."""
    global _conf_table
    cdef Py_ssize_t i
    if table is _conf_table:
        return 0
    for key, value in table.items():
        if not isinstance(key, int) or not isinstance(value, int) or not 0 <= key < _CONF_SIZE or not 0 <= value < 0x110000:
            raise ValueError("screen_fold: a confusable table maps code points below U+0600 to code points")
    for i in range(_CONF_SIZE):
        _CONF_MAP[i] = <Py_UCS4> i
    for key, value in table.items():
        _CONF_MAP[<Py_ssize_t> key] = <Py_UCS4> value
    _conf_table = table
    return 0


cdef inline Py_UCS4 _leet_letter(Py_UCS4 c) noexcept nogil:
    """``_normalize.LEET_DIGITS`` read as ``LEET_LETTERS``; any other character as itself."""
    if c == 48:
        return 111  # 0 o
    if c == 49:
        return 105  # 1 i
    if c == 51:
        return 101  # 3 e
    if c == 52 or c == 64:
        return 97  # 4 @ a
    if c == 53 or c == 36:
        return 115  # 5 $ s
    if c == 55:
        return 116  # 7 t
    return c


cdef class _UCS4Buf:
    """A scratch buffer of code points, freed with its owner."""

    cdef Py_UCS4 *data
    cdef Py_ssize_t len

    def __cinit__(self, Py_ssize_t size):
        self.data = <Py_UCS4 *> PyMem_Malloc((size if size > 0 else 1) * sizeof(Py_UCS4))
        if self.data == NULL:
            raise MemoryError()
        self.len = 0

    def __dealloc__(self):
        PyMem_Free(self.data)

    cdef str text(self):
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, self.data, self.len)


cdef str _unhide(str low):
    """Invisible characters dropped and, when a Greek or Cyrillic letter is there, look-alike
    letters read as Latin ones (``INVISIBLE.sub`` then ``translate(CONFUSABLE)``)."""
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(low), i
    cdef int kind = PyUnicode_KIND(low)
    cdef const void *data = PyUnicode_DATA(low)
    cdef Py_UCS4 c
    cdef bint invisible = False, greek = False
    for i in range(m):
        c = PyUnicode_READ(kind, data, i)
        if _invisible(c):
            invisible = True
        elif 0x370 <= c <= 0x4FF:
            greek = True
    if not invisible and not greek:
        return low
    cdef _UCS4Buf out = _UCS4Buf(m)
    for i in range(m):
        c = PyUnicode_READ(kind, data, i)
        if _invisible(c):
            continue
        if greek and c < _CONF_SIZE:
            c = _CONF_MAP[c]
        out.data[out.len] = c
        out.len += 1
    return out.text()


cdef str _unslash_unleet(str low):
    """Written-out ``\\n``, ``\\t`` and ``\\r`` read as spaces, then every leet character as a letter."""
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(low), i
    cdef int kind = PyUnicode_KIND(low)
    cdef const void *data = PyUnicode_DATA(low)
    cdef Py_UCS4 c, d
    cdef bint change = False
    for i in range(m):
        c = PyUnicode_READ(kind, data, i)
        if _leet_letter(c) != c or c == 92:
            change = True
            break
    if not change:
        return low
    cdef bytearray narrow
    cdef unsigned char *n_out
    cdef Py_ssize_t n_len = 0
    if kind == PyUnicode_1BYTE_KIND:  # most pages: one byte a character in and out
        narrow = bytearray(m)
        n_out = narrow
        i = 0
        while i < m:
            c = (<const unsigned char *> data)[i]
            if c == 92 and i + 1 < m:
                d = (<const unsigned char *> data)[i + 1]
                if d == 110 or d == 116 or d == 114:  # n t r
                    n_out[n_len] = 32
                    n_len += 1
                    i += 2
                    continue
            n_out[n_len] = <unsigned char> _leet_letter(c)
            n_len += 1
            i += 1
        return PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, n_out, n_len)
    cdef _UCS4Buf out = _UCS4Buf(m)
    i = 0
    while i < m:
        c = PyUnicode_READ(kind, data, i)
        if c == 92 and i + 1 < m:
            d = PyUnicode_READ(kind, data, i + 1)
            if d == 110 or d == 116 or d == 114:  # n t r
                out.data[out.len] = 32
                out.len += 1
                i += 2
                continue
        out.data[out.len] = _leet_letter(c)
        out.len += 1
        i += 1
    return out.text()


cdef Py_ssize_t _spaced_end(int kind, const void *data, Py_ssize_t m, Py_ssize_t i) noexcept nogil:
    """End of ``_prescreen._SPACED`` (``\\b(?:\\w ){3,}\\w\\b``) matched at ``i``, or -1: single word
    characters each followed by one space, at least three, then a word character ending a word;
    of the runs that fit, the longest (the pattern is greedy and backs off one pair at a time)."""
    cdef Py_ssize_t pairs = 0, j = i
    if not _re_word(PyUnicode_READ(kind, data, i)) or (i > 0 and _re_word(PyUnicode_READ(kind, data, i - 1))):
        return -1
    while j + 1 < m and _re_word(PyUnicode_READ(kind, data, j)) and PyUnicode_READ(kind, data, j + 1) == 32:
        pairs += 1
        j += 2
    # j is the character after the last pair.
    if pairs >= 3 and j < m and _re_word(PyUnicode_READ(kind, data, j)) and (
        j + 1 == m or not _re_word(PyUnicode_READ(kind, data, j + 1))
    ):
        return j + 1
    if pairs >= 4:  # one pair fewer: its word character is followed by a space, a word's end
        return j - 1
    return -1


cdef str _join_spaced(str low):
    """``_SPACED.sub`` with the spaces of each match taken out (letters spaced apart joined)."""
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(low), i = 0, end, k
    cdef int kind = PyUnicode_KIND(low)
    cdef const void *data = PyUnicode_DATA(low)
    cdef Py_UCS4 c
    cdef _UCS4Buf out = None
    cdef Py_ssize_t copied = 0  # characters of ``low`` before ``copied`` are in ``out``
    # Every match holds `` x y `` (its second and third characters between spaces): look for
    # that first, with no character class read.
    for k in range(m - 4):
        if PyUnicode_READ(kind, data, k) == 32 and PyUnicode_READ(kind, data, k + 2) == 32 \
                and PyUnicode_READ(kind, data, k + 4) == 32:
            break
    else:
        return low
    while i < m:
        end = _spaced_end(kind, data, m, i)
        if end < 0:
            i += 1
            continue
        if out is None:
            out = _UCS4Buf(m)
        for k in range(copied, i):
            out.data[out.len] = PyUnicode_READ(kind, data, k)
            out.len += 1
        for k in range(i, end):
            c = PyUnicode_READ(kind, data, k)
            if c != 32:
                out.data[out.len] = c
                out.len += 1
        copied = i = end
    if out is None:
        return low
    for k in range(copied, m):
        out.data[out.len] = PyUnicode_READ(kind, data, k)
        out.len += 1
    return out.text()


def screen_fold(str text, dict confusable) -> list:
    """``_prescreen._folded``: the text lower-cased as written, and once more with every disguise
    read as letters when that differs (``confusable``: ``_normalize.CONFUSABLE``)."""
    _load_confusable(confusable)
    cdef str plain = text.lower(), low = plain
    if not low.isascii():
        if not _unicodedata.is_normalized(u"NFKC", low):
            low = _unicodedata.normalize(u"NFKC", low).lower()
        low = _unhide(low)
    if u"&" in low:
        low = _py_html.unescape(low)
    low = _join_spaced(_unslash_unleet(low))
    return [plain, low] if low != plain else [plain]


# ---------------------------------------------------------------- code and caption blocks (``_features._block_flags``)


cdef bint _path_has_block(str path, str name, bint fig) noexcept:
    """``(?:^|>)NAME(?=[#.>]|$)`` in ``path`` (``(?:fig)?`` before ``NAME`` when ``fig``)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(path), k = PyUnicode_GET_LENGTH(name), i, j, start
    cdef int kind = PyUnicode_KIND(path)
    cdef const void *data = PyUnicode_DATA(path)
    cdef Py_UCS4 c
    for i in range(n - k + 1):
        for j in range(k):
            if PyUnicode_READ(kind, data, i + j) != <Py_UCS4> name[j]:
                break
        else:
            if i + k < n:
                c = PyUnicode_READ(kind, data, i + k)
                if not (c == 35 or c == 46 or c == 62):  # # . >
                    continue
            start = i
            if fig and start >= 3 and PyUnicode_READ(kind, data, start - 1) == 103 \
                    and PyUnicode_READ(kind, data, start - 2) == 105 and PyUnicode_READ(kind, data, start - 3) == 102:
                if start == 3 or PyUnicode_READ(kind, data, start - 4) == 62:  # (^|>)fig
                    return True
            if start == 0 or PyUnicode_READ(kind, data, start - 1) == 62:
                return True
    return False


def block_flags(list segments):
    """``_features._block_flags``: ``in_code, in_caption`` of each segment (float32 rows)."""
    cdef Py_ssize_t n = len(segments), k
    cdef object path
    out_arr = np.zeros((n, 2), dtype=np.float32)
    cdef float[:, ::1] out = out_arr
    for k in range(n):
        path = segments[k].path
        if type(path) is not str:
            raise TypeError("block_flags: a segment's path is a str")
        if _path_has_block(<str> path, u"pre", False):
            out[k, 0] = 1.0
        if _path_has_block(<str> path, u"caption", True):
            out[k, 1] = 1.0
    return out_arr


# ---------------------------------------------------------------- the prescreen's link evidence (``_prescreen._link_evidence``)


cdef inline bint _scheme_letter(Py_UCS4 c) noexcept nogil:
    """``[a-z]`` matched case-insensitively by ``re``: ASCII letters and four others."""
    return (65 <= c <= 90) or (97 <= c <= 122) or c == 0x130 or c == 0x131 or c == 0x17F or c == 0x212A


cdef Py_ssize_t _netloc_start(str href) noexcept:
    """Where ``_prescreen._NETLOC`` finds the netloc of ``href`` (after ``//``), -1 when it does not
    match: control characters or spaces, an optional ``scheme:`` (a letter and at most 15 of
    ``[a-z0-9+.-]``, case-insensitively), then ``//``."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(href), i = 0, j
    cdef int kind = PyUnicode_KIND(href)
    cdef const void *data = PyUnicode_DATA(href)
    cdef Py_UCS4 c
    while i < n:
        c = PyUnicode_READ(kind, data, i)
        if not (c <= 0x1F or c == 0x20):
            break
        i += 1
    if i + 1 < n and PyUnicode_READ(kind, data, i) == 47 and PyUnicode_READ(kind, data, i + 1) == 47:
        return i + 2
    if i < n and _scheme_letter(PyUnicode_READ(kind, data, i)):
        j = i + 1
        while j < n and j - i <= 16:
            c = PyUnicode_READ(kind, data, j)
            if not (_scheme_letter(c) or 48 <= c <= 57 or c == 43 or c == 46 or c == 45):
                break
            j += 1
        # The class run is greedy; ':' is not in it, so a scheme is the whole run when it is short enough.
        if j - i <= 16 and j + 2 < n + 0 and PyUnicode_READ(kind, data, j) == 58 \
                and PyUnicode_READ(kind, data, j + 1) == 47 and PyUnicode_READ(kind, data, j + 2) == 47:
            return j + 3
    return -1


def link_evidence(list segments, str home, str base_host, Py_ssize_t hidden_domains, Py_ssize_t run_domains,
                  tuple helpers) -> str:
    """``_prescreen._link_evidence`` from the page's segments, its own registrable domain and the
    host of its URL (``helpers``: ``redirect_target``, ``netloc_host``, ``host_info`` and the
    screen's ``_spam_name``, which keep their caches)."""
    redirect_target, netloc_host, host_info, spam_name = helpers
    cdef dict hosts = {}
    cdef set others
    cdef object seg, links, info, cached
    cdef str href, url, host, dom
    cdef Py_ssize_t s, k, start, end, n, at
    cdef int kind
    cdef const void *data
    cdef Py_UCS4 c
    for s in range(len(segments)):
        seg = segments[s]
        links = seg.links
        others = set()
        for k in range(len(links)):
            href = links[k]
            cached = hosts.get(href)
            if cached is None:
                url = redirect_target(href) if _maybe_redirect(href) else href
                start = _netloc_start(url)
                if start < 0:
                    host = base_host
                else:
                    n = PyUnicode_GET_LENGTH(url)
                    kind = PyUnicode_KIND(url)
                    data = PyUnicode_DATA(url)
                    end = start
                    at = start  # just after the last '@' of the netloc
                    while end < n:
                        c = PyUnicode_READ(kind, data, end)
                        if c == 47 or c == 63 or c == 35 or c == 92:  # / ? # backslash
                            break
                        if c == 64:
                            at = end + 1
                        end += 1
                    host = netloc_host(url[at:end].lower())
                hosts[href] = host
            else:
                host = <str> cached
            if not host:
                continue
            info = host_info(host)
            if info.is_ip:
                return u"raw_ip_links"
            dom = info.domain
            if not dom or dom == home:
                continue
            if spam_name(dom):
                return u"spam_host"
            others.add(dom)
        if seg.hidden and len(others) >= hidden_domains:
            return u"hidden_offsite_links"
        if len(others) >= run_domains:
            return u"link_run"
    return u""

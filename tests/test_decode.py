from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkguard._decode import declared_charset, decode, looks_like_html


def test_bom_wins() -> None:
    assert decode("\ufeffhé".encode("utf-8"))[0] == "hé"
    assert decode("hé".encode("utf-16"))[0] == "hé"


def test_declared_charset_used_when_it_decodes() -> None:
    page = '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251")
    text, enc = decode(page)
    assert "Привет" in text and enc == "cp1251"
    assert declared_charset(page) == "cp1251"


def test_mislabelled_page_falls_back() -> None:
    page = '<meta charset="utf-8"><p>Grüße aus Köln, schöne Größe</p>'.encode("cp1252")
    text, _ = decode(page)
    assert "Grüße" in text


def test_shift_jis_without_declaration() -> None:
    page = "<p>日本語のページです。スーパーコピー激安通販の説明文です。</p>".encode("shift_jis")
    assert "日本語" in decode(page)[0]


def test_markup_detection() -> None:
    assert looks_like_html("<p>x</p>")
    assert not looks_like_html("I <3 cats and a < b")


# ---------------------------------------------------------------- hints are hints

_RU = (
    "новости погода сегодня президент встретился министрами москве правительство города "
    "решение школа библиотека жители улица работа время году области говорит"
).split()
_LYING_HINTS = ["iso-8859-1", "latin-1", "windows-1252", "ascii", "iso-8859-15"]


@settings(max_examples=40, deadline=None)
@example(  # one capital letter tells windows-1251 from mac-cyrillic; the detector's coherence is 0
    words=[*["новости"] * 5, *["погода"] * 6, "города"], codec="cp1251", hint="iso-8859-1", meta=False
)
@given(
    words=st.lists(st.sampled_from(_RU), min_size=12, max_size=60),
    codec=st.sampled_from(["utf-8", "cp1251"]),
    hint=st.sampled_from(_LYING_HINTS),
    meta=st.booleans(),
)
def test_a_lying_single_byte_hint_does_not_make_mojibake(words: list[str], codec: str, hint: str, meta: bool) -> None:
    """What HTTP clients report when the server names no charset must not decide the text."""
    text = " ".join(words).capitalize() + "."
    head = f'<meta charset="{"utf-8" if codec == "utf-8" else "windows-1251"}">' if meta else ""
    page = f"<html><head>{head}</head><body><p>{text}</p></body></html>"
    decoded, used = decode(page.encode(codec), hint)
    assert text in decoded, (codec, hint, used)


def test_a_true_single_byte_hint_is_kept() -> None:
    page = "<p>Café crème brûlée, où est la bibliothèque? Très bien, merci.</p>".encode("latin-1")
    text, used = decode(page, "iso-8859-1")
    assert "Café crème brûlée" in text and used == "cp1252"


def test_hint_and_page_agreeing_is_taken_without_the_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    import linkguard._decode as dec

    def no_detector(data: bytes) -> object:
        raise AssertionError("the detector should not run when hint and page agree")

    monkeypatch.setattr(dec, "_detect", no_detector)
    page = '<meta charset="windows-1251"><p>Привет, как дела?</p>'.encode("cp1251")
    assert decode(page, "windows-1251") == ('<meta charset="windows-1251"><p>Привет, как дела?</p>', "cp1251")


def test_scan_and_strip_take_the_hint_as_a_hint() -> None:
    import linkguard

    page = "Новости: президент встретился с министрами в Москве.\n".encode("cp1251")
    report = linkguard.scan(page, encoding="iso-8859-1")
    assert report.segments[0].text.startswith("Новости") and report.encoding == "cp1251"
    assert linkguard.strip(page, encoding="iso-8859-1").startswith("Новости")

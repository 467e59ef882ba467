from __future__ import annotations

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

from __future__ import annotations

from linkguard._segment import segment_html, segment_text, split_tail


def test_link_run_in_one_block_is_one_segment() -> None:
    links = " ".join(f'<a href="http://10.0.0.{i}/">x{i}</a>' for i in range(30))
    page = segment_html(f"<html><body><p>Intro text here.</p><div>{links}</div></body></html>")
    assert len(page.segments) == 2
    assert len(page.segments[1].links) == 30


def test_list_items_share_a_segment_but_blocks_split() -> None:
    page = segment_html("<ul><li><a href='/a'>A</a></li><li><a href='/b'>B</a></li></ul><p>after</p>")
    assert [s.text for s in page.segments] == ["A\nB", "after"]


def test_text_after_html_end_is_kept_and_marked() -> None:
    html = "<html><body><p>Article.</p></body></html>\n<div><a href='http://1.2.3.4/'>slot</a></div>"
    _, tail = split_tail(html)
    assert tail.strip().startswith("<div>")
    page = segment_html(html)
    assert page.segments[-1].after_end
    assert page.segments[-1].links == ["http://1.2.3.4/"]
    assert not page.segments[0].after_end


def test_only_comments_after_html_is_no_tail() -> None:
    assert split_tail("<html><body>x</body></html>\n<!-- cache -->\n")[1] == ""


def test_hidden_styles_are_detected() -> None:
    cases = {
        '<div style="display:none">x</div>': "display_none",
        '<div style="position:absolute; left:-9999px">x</div>': "offscreen",
        '<div style="height:1px;overflow:hidden">x</div>': "tiny_box",
        '<span style="font-size:0">x</span>': "font_size_0",
        '<div style="color:#fff;background:#fff">x</div>': "color",
        '<marquee width="1">x</marquee>': "tiny_box",
        "<div hidden>x</div>": "display_none",
        "<style>.zz{display:none}</style><div class='zz'>x</div>": "display_none",
    }
    for html, how in cases.items():
        page = segment_html(f"<html><body>{html}</body></html>")
        assert page.segments[0].hidden == how, html


def test_blocks_hidden_by_an_inline_script_are_hidden() -> None:
    cases = [
        "<div id='d1'>x</div><script>document.getElementById('d1').style.display='none';</script>",
        '<div id="d2">x</div><script>document.getElementById( "d2" ).style.visibility = "hidden"</script>',
        "<div id='d3'>x</div><script>$('#d3').hide();</script>",
        "<div class='c4'>x</div><script>jQuery('.c4').css('display', 'none')</script>",
        "<div class='c5'>x</div><script>document.getElementsByClassName('c5')[0].style.display='none'</script>",
        "<div id='d6'>x</div><script>document.querySelector('#d6').style.display='none'</script>",
    ]
    for html in cases:
        assert segment_html(f"<html><body>{html}</body></html>").segments[0].hidden == "js", html
    # A script after </html> hides the block it came with.
    tail = "<html><body><p>a</p></body></html><div id='t'>x</div><script>$('#t').hide()</script>"
    assert segment_html(tail).segments[-1].hidden == "js"
    # External scripts, scripts that show, and long application scripts do not count.
    for html in (
        "<div id='e'>x</div><script src='a.js'>document.getElementById('e').style.display='none'</script>",
        "<div id='f'>x</div><script>document.getElementById('f').style.display='block'</script>",
        "<div id='g'>x</div><script>" + "var a=1;" * 5000 + "$('#g').hide()</script>",
    ):
        assert segment_html(f"<html><body>{html}</body></html>").segments[0].hidden == "", html


def test_footer_and_paths() -> None:
    page = segment_html("<body><footer class='site'><p>(c) 2024</p></footer></body>")
    seg = page.segments[0]
    assert seg.in_footer
    assert seg.path.endswith("footer.site>p")


def test_text_mode_lines_and_urls() -> None:
    page = segment_text("First line.\n\nhttp://1.2.3.4/ https://x.ac.id/\nbrand\n")
    assert [s.text for s in page.segments] == ["First line.", "http://1.2.3.4/ https://x.ac.id/", "brand"]
    assert page.segments[1].links == ["http://1.2.3.4/", "https://x.ac.id/"]
    assert page.segments[1].path == "line 3"


def test_deep_nesting_does_not_recurse() -> None:
    page = segment_html("<div>" * 20000 + "deep" + "</div>" * 20000)
    assert any(s.text == "deep" for s in page.segments)


def test_small_print_and_layout_offsets_are_not_hiding() -> None:
    from linkguard._hiding import style_hiding as _hiding

    for style in ("font-size:0.9em", "font-size: 0.75rem", "font-size:80%", "font-size:10px", "margin-top:-100px"):
        assert _hiding(style) == "", style
    for style, how in (
        ("font-size:0", "font_size_0"),
        ("font-size:0.5px", "font_size_0"),
        ("font-size:0.05em", "font_size_0"),
        ("margin-left:-500px", "offscreen"),
        ("left:-100%", "offscreen"),
        ("text-indent:-999em", "offscreen"),
    ):
        assert _hiding(style) == how, style


def test_glued_urls_are_separate_links() -> None:
    page = segment_text("slot http://a.example/xhttps://b.example/y\n")
    assert page.segments[0].links == ["http://a.example/x", "https://b.example/y"]
    # A URL that carries another as a path or a parameter stays one link.
    page = segment_text("https://web.archive.org/web/1/https://c.example/ https://e.example/?u=http://f.example\n")
    assert len(page.segments[0].links) == 2

"""Tailoring text assets: fields filled, Markdown rendered, and nothing hostile survives."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.forks.text import (
    TailoringError,
    render,
    render_html,
    render_markdown,
    render_text,
    sanitize_html,
)

ROOT = Path(__file__).resolve().parents[2]

TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "ul", "ol", "li",
        "dl", "dt", "dd", "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "sub", "sup",
        "small", "a", "img", "blockquote", "code", "pre", "kbd", "table", "thead", "tbody",
        "tfoot", "tr", "th", "td", "caption"}
ATTRIBUTES = {"href", "title", "src", "alt", "width", "height", "start", "align", "colspan",
              "rowspan", "scope", "rel"}
# A URL with a scheme (what a browser reads before the first colon) must have a safe one; a
# URL without one ("[x](y)", "/assets/3") is relative to the page and runs nothing.
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
SAFE_URL = re.compile(r"https?:|mailto:|data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)


class Markup(HTMLParser):
    """What a browser would build from the output: its elements, attributes and text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def assert_safe(html: str) -> Markup:
    """Every element and attribute is on the allow-list and every URL is a safe one."""
    markup = Markup(html)
    for tag, attrs in markup.elements:
        assert tag in TAGS, (tag, html)
        assert set(attrs) <= ATTRIBUTES, (attrs, html)
        for name in ("href", "src"):
            if name in attrs:
                url = re.sub(r"[\x00-\x20]", "", attrs[name] or "")
                assert not SCHEME.match(url) or SAFE_URL.match(url), (url, html)
    assert "<script" not in html.lower() and "<svg" not in html.lower()
    return markup


ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="\tjava\nscript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)" onmouseover=alert(1)>x</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body{background:red}</style>",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example"><input name=x><button formaction=javascript:alert(1)>'
    "go</button></form>",
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<div><b>unclosed <i>nested <a href="javascript:alert(1)">link',
    '<a href="https://ok.example"><img src=x onerror=alert(1)></a>',
    "<!--<script>alert(1)</script>-->",
    '<details open ontoggle="alert(1)">x</details>',
    '<body onload="alert(1)">x</body>',
    '<textarea><script>alert(1)</script></textarea>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
]

MARKDOWN_ATTACKS = [
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "![img](javascript:alert(1))",
    '![img](x "title" onerror=alert(1))',
    "![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[ref][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<a href='javascript:alert(1)'>raw html link</a>",
    "*emphasis <img src=x onerror=alert(1)>*",
    "```\n</code><script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_sanitize_html_removes_every_injection(attack):
    assert_safe(sanitize_html(attack))


@pytest.mark.parametrize("attack", ATTACKS)
def test_html_source_with_injection_renders_safe(attack):
    assert_safe(render_html(f"<p>Hi {{{{name}}}}</p>{attack}", {"name": "Ann"}))


@pytest.mark.parametrize("attack", MARKDOWN_ATTACKS + ATTACKS)
def test_markdown_source_with_injection_renders_safe(attack):
    assert_safe(render_markdown(f"Hello {{{{name}}}}\n\n{attack}", {"name": "A"}))


@pytest.mark.parametrize("attack", MARKDOWN_ATTACKS + ATTACKS)
def test_field_values_with_injection_stay_text_in_markdown(attack):
    source = ("Dear **{{name}}**, see `{{name}}` and [our page]({{name}}).\n\n"
              "<a href=\"{{name}}\">raw</a> <img src=\"{{name}}\" alt=\"{{name}}\">\n\n"
              "| who |\n|-----|\n| {{name}} |\n\n> {{name}}\n")
    markup = assert_safe(render_markdown(source, {"name": attack}))
    # The value is never markup: it reads as the characters typed, in the text, the code span,
    # the emphasis, the table cell and the quote, and it adds no element of its own.
    # (A line break in a value is a <br>, so it is no character of the text.)
    assert "".join(markup.text).count(attack.replace("\n", "")) >= 4
    tags = [tag for tag, _ in markup.elements]
    assert set(tags) <= {"p", "strong", "code", "a", "img", "table", "thead", "tbody", "tr",
                         "th", "td", "blockquote", "br"}
    assert tags.count("a") == 2 and tags.count("img") == 1


@pytest.mark.parametrize("attack", ATTACKS)
def test_field_values_with_injection_stay_text_in_html(attack):
    source = ('<p title="{{v}}">{{v}}</p><a href="{{v}}">x</a><img src={{v}} alt=\'{{v}}\'>'
              "<a href={{v}}>unquoted</a>")
    markup = assert_safe(render_html(source, {"v": attack}))
    assert "".join(markup.text).startswith(attack.replace("\n", ""))
    assert [tag for tag, _ in markup.elements if tag != "br"] == ["p", "a", "img", "a"]


def test_markdown_value_is_shown_exactly_as_typed():
    value = "**Acme** [x](javascript:a) <b>&</b> `tick` _under_ \\ #1"
    out = render_markdown("Hello {{company}}!", {"company": value})
    assert out == ("<p>Hello **Acme** [x](javascript:a) &lt;b&gt;&amp;&lt;/b&gt; `tick` "
                   "_under_ \\ #1!</p>\n")


def test_markdown_value_inside_code_and_emphasis_keeps_the_markup_around_it():
    out = render_markdown("**{{c}}** and `{{c}}`", {"c": "A<B"})
    assert out == "<p><strong>A&lt;B</strong> and <code>A&lt;B</code></p>\n"


def test_markdown_value_as_whole_link_target_cannot_be_javascript():
    out = render_markdown("[site]({{url}})", {"url": "javascript:alert(1)"})
    assert out == '<p><a rel="noopener noreferrer">site</a></p>\n'
    safe = render_markdown("[site]({{url}})", {"url": "https://acme.example/?a=1&b=2"})
    assert safe == ('<p><a href="https://acme.example/?a=1&amp;b=2" '
                    'rel="noopener noreferrer">site</a></p>\n')


def test_markdown_renders_the_allowed_structure():
    source = ("# Title\n\nA *b* **c** ~~d~~ `e`\n\n- one\n- two\n\n1. first\n\n> quote\n\n"
              "| L | R |\n|:--|--:|\n| 1 | 2 |\n\n---\n\n[mail](mailto:a@b.example) "
              "![logo](https://cdn.example/logo.png)\n")
    out = render_markdown(source, {})
    for fragment in ("<h1>Title</h1>", "<em>b</em>", "<strong>c</strong>", "<s>d</s>",
                     "<code>e</code>", "<li>one</li>", "<ol>", "<blockquote>",
                     '<th align="left">L</th>', '<td align="right">2</td>', "<hr>",
                     '<a href="mailto:a@b.example" rel="noopener noreferrer">mail</a>',
                     '<img src="https://cdn.example/logo.png" alt="logo">'):
        assert fragment in out, fragment
    assert "style" not in out


def test_images_keep_raster_data_urls_only():
    png = "data:image/png;base64,iVBORw0KGgo="
    assert sanitize_html(f'<img src="{png}" alt="logo">') == f'<img src="{png}" alt="logo">'
    assert sanitize_html('<img src="data:image/svg+xml;base64,PHN2Zz4=">') == "<img>"
    assert sanitize_html('<img src="data:text/html,hi">') == "<img>"
    assert sanitize_html('<a href="data:image/png;base64,AAAA">x</a>') == (
        '<a rel="noopener noreferrer">x</a>')


def test_links_keep_safe_schemes_and_get_rel():
    assert sanitize_html('<a href="https://a.example" target="_blank" rel="opener">x</a>') == (
        '<a href="https://a.example" rel="noopener noreferrer">x</a>')
    assert sanitize_html('<a href="/assets/3">x</a>') == (
        '<a href="/assets/3" rel="noopener noreferrer">x</a>')
    assert sanitize_html('<a href="ftp://a.example">x</a>') == '<a rel="noopener noreferrer">x</a>'


def test_style_class_and_id_attributes_are_dropped_but_text_kept():
    assert sanitize_html('<p style="color:red" class="x" id="y">text</p>') == "<p>text</p>"
    assert sanitize_html("<svg><text>drawn</text></svg>kept") == "kept"
    assert sanitize_html("<div><b>unclosed <i>nest") == "<div><b>unclosed <i>nest</i></b></div>"


def test_html_values_are_escaped_in_text_and_attributes():
    out = render_html('<p title="{{c}}">Hi {{c}}</p>', {"c": '"><script>x</script>&'})
    assert out == ('<p title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;">'
                   "Hi \"&gt;&lt;script&gt;x&lt;/script&gt;&amp;</p>")


def test_text_is_filled_and_nothing_else():
    source = "Hi {{ Company }}, <b>{{contact_name}}</b> & {{unknown}}\r\n"
    assert render_text(source, {"company": "<Acme>", "Contact_Name": "Ann"}) == (
        "Hi <Acme>, <b>Ann</b> & {{unknown}}\r\n")


@pytest.mark.parametrize("malformed", ["{{company}", "{{ }}", "{{two words}}", "{company}}",
                                       "{{1abc}}", "{{" + "a" * 41 + "}}"])
@pytest.mark.parametrize("kind", ["markdown", "html", "text"])
def test_malformed_placeholders_are_left_as_written(kind, malformed):
    out = render(kind, f"Dear {malformed} at {{{{company}}}}", {"company": "Acme"})
    assert malformed in out and "Acme" in out


def test_fields_without_a_value_stay_as_written():
    assert render_markdown("Hi {{company}}", {}) == "<p>Hi {{company}}</p>\n"


def test_a_value_over_the_limit_is_a_clear_error():
    with pytest.raises(TailoringError, match="100,000 characters long; a field holds 2,000"):
        render_markdown("Hi {{company}}", {"company": "x" * 100_000})
    with pytest.raises(TailoringError, match="must be text"):
        render_html("{{n}}", {"n": 5})


def test_long_sources_and_many_fields_render_fast():
    paragraph = "Dear {{company}}, <img src=x onerror=alert(1)> [a](javascript:x) **b**\n\n"
    source = paragraph * 2_000  # about 150,000 characters, 2,000 fields
    started = time.perf_counter()
    out = render_markdown(source, {"company": "A" * 2_000})
    elapsed = time.perf_counter() - started
    assert out.count("A" * 2_000) == 2_000
    assert_safe(out)
    assert elapsed < 5, elapsed


def test_render_dispatches_and_refuses_unknown_kinds():
    assert render("text", "{{a}}", {"a": "<x>"}) == "<x>"
    assert render("html", "{{a}}", {"a": "<x>"}) == "&lt;x&gt;"
    assert render("markdown", "{{a}}", {"a": "<x>"}) == "<p>&lt;x&gt;</p>\n"
    with pytest.raises(TailoringError, match="“pptx” assets cannot be tailored as text"):
        render("pptx", "x", {})


def test_real_markdown_renders_safely():
    # The project's own README and design notes: real Markdown, written by people.
    for path in (ROOT / "README.md", ROOT / "docs" / "BENCHMARKS.md"):
        if not path.exists():
            continue
        out = render_markdown(path.read_text(encoding="utf-8"), {})
        assert "<h1>" in out or "<h2>" in out
        assert_safe(out)


def test_line_breaks_in_a_value_stay_line_breaks():
    note = "Line one\r\nLine <two>\nthree"
    assert render_html("<p>{{note}}</p>", {"note": note}) == (
        "<p>Line one<br>Line &lt;two&gt;<br>three</p>")
    assert render_markdown("Note: {{note}}", {"note": note}) == (
        "<p>Note: Line one<br>Line &lt;two&gt;<br>three</p>\n")

"""Tailoring Markdown, HTML and plain-text assets: fill the fields, render, sanitize.

Field values are plain text typed by a rep, so they never become markup:

- HTML: each value is HTML-escaped where it lands (its line breaks become `<br>`), then the
  whole page is sanitized.
- Markdown: the value never reaches the Markdown parser. Each field is swapped for an inert
  alphanumeric marker, the source is rendered, and each marker in the HTML is replaced by the
  HTML-escaped value. So `[x](javascript:..)`, `**`, `<img onerror>` or a backtick in a value
  come out as the characters the rep typed, wherever the field stands (text, code span, link).
- Everything shown or shared goes through `sanitize_html` last, so a field placed inside an
  attribute (`<a href="{{url}}">`) still cannot carry a `javascript:` URL.

What the sanitizer keeps (an allow-list for e-mail templates, talk tracks and one-pagers):
headings, paragraphs, line breaks, lists, emphasis, strike-through, links, tables, code,
blockquotes, rules and images. Links keep http, https, mailto and relative URLs and always get
`rel="noopener noreferrer"`. Images keep http(s) and `data:` PNG, JPEG, GIF or WebP: e-mail
templates embed logos inline, and those raster formats cannot run script, unlike SVG, which
is refused as a tag and as a data URL. No script, style, event handler, iframe, form, class or
id survives; table alignment is kept as `align` because style attributes are not.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt

from app.forks import placeholders
from app.forks.office_base import TailoringError

__all__ = ["KINDS", "TailoringError", "render", "render_html", "render_markdown", "render_text",
           "sanitize_html"]

KINDS = ("markdown", "html", "text")


def _escape(value: str) -> str:
    """A plain-text value as HTML text; its line breaks stay line breaks."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(html.escape(line, quote=True) for line in lines)


_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span",
    "ul", "ol", "li", "dl", "dt", "dd",
    "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "sub", "sup", "small",
    "a", "img", "blockquote", "code", "pre", "kbd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}
# Dropped with everything inside them: their content is code or never meant to be read.
_DROP_WITH_CONTENT = {"script", "style", "title", "template", "svg", "math", "iframe",
                      "object", "embed", "noscript", "textarea", "select"}
_CELL = {"align", "colspan", "rowspan"}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": _CELL | {"scope"},
    "td": _CELL,
}
_LINK_SCHEMES = {"http", "https", "mailto"}
_IMAGE_SCHEMES = {"http", "https"}
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|jpg|gif|webp);base64,[A-Za-z0-9+/=\s]*",
                         re.IGNORECASE)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# What a browser ignores inside and around a URL before reading its scheme (WHATWG URL).
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIM = "".join(chr(c) for c in range(0x21))


def _scheme(url: str) -> str | None:
    """The scheme a browser would see, or None for a relative URL."""
    cleaned = _URL_IGNORED.sub("", url).strip(_URL_TRIM)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        scheme = _scheme(value)
        return value if scheme is None or scheme in _LINK_SCHEMES else None
    if tag == "img" and attribute == "src":
        scheme = _scheme(value)
        if scheme == "data":
            return value if _IMAGE_DATA.fullmatch(value.strip()) else None
        return value if scheme in _IMAGE_SCHEMES else None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes=_LINK_SCHEMES | {"data"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(source: str) -> str:
    """HTML safe to show in Lockstep or a share link: only the allow-list above survives."""
    return _CLEANER.clean(source)


def _check_values(values: Mapping[str, str]) -> None:
    for name, value in values.items():
        if not isinstance(value, str):
            raise TailoringError(f"The value of “{name}” must be text.")
        if len(value) > placeholders.MAX_VALUE:
            raise TailoringError(
                f"The value of “{name}” is {len(value):,} characters long; "
                f"a field holds {placeholders.MAX_VALUE:,} at most.")


def _normalised(values: Mapping[str, str]) -> dict[str, str]:
    _check_values(values)
    return {placeholders.normalise(name): value for name, value in values.items()}


def render_text(source: str, values: Mapping[str, str]) -> str:
    """Plain text: the fields filled, nothing else changed."""
    return placeholders.fill(source, _normalised(values))


def render_html(source: str, values: Mapping[str, str]) -> str:
    """An HTML asset with its fields filled (values escaped), then sanitized."""
    return sanitize_html(placeholders.fill(source, _normalised(values), _escape))


def _markdown() -> MarkdownIt:
    # Raw HTML in a marketer's Markdown is allowed through the parser: the sanitizer decides.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


_MARKDOWN = _markdown()
_ALIGN = re.compile(r"text-align:(left|right|center)")


def _markdown_to_html(source: str) -> str:
    tokens = _MARKDOWN.parse(source)
    for token in tokens:
        # Table alignment arrives as a style attribute, which the sanitizer refuses.
        style = token.attrs.get("style") if token.attrs else None
        if token.type in ("th_open", "td_open") and isinstance(style, str):
            del token.attrs["style"]
            match = _ALIGN.fullmatch(style)
            if match:
                token.attrs["align"] = match.group(1)
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


def render_markdown(source: str, values: Mapping[str, str]) -> str:
    """A Markdown asset as sanitized HTML, with each value shown exactly as typed."""
    filled = _normalised(values)
    nonce = secrets.token_hex(8)
    markers: dict[str, str] = {}

    def marker(value: str) -> str:
        # Letters and digits only: nothing Markdown or HTML gives a meaning to.
        key = f"lockstepfield{nonce}n{len(markers)}x"
        markers[key] = _escape(value)
        return key

    rendered = _markdown_to_html(placeholders.fill(source, filled, marker))
    if markers:
        pattern = re.compile(f"lockstepfield{nonce}n[0-9]+x")
        rendered = pattern.sub(lambda m: markers.get(m.group(0), m.group(0)), rendered)
    return sanitize_html(rendered)


_RENDERERS = {"markdown": render_markdown, "html": render_html, "text": render_text}


def render(kind: str, source: str, values: Mapping[str, str]) -> str:
    """Tailor a text asset of `kind` ("markdown", "html" or "text")."""
    renderer = _RENDERERS.get(kind)
    if renderer is None:
        raise TailoringError(f"“{kind}” assets cannot be tailored as text; "
                             f"the text kinds are {', '.join(KINDS)}.")
    return renderer(source, values)

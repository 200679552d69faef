"""Tailoring Markdown, HTML and plain-text assets: fill the fields, render, sanitize.

Field values are plain text typed by a rep: they are escaped before they meet the markup, so a
value can never become a tag, a link or Markdown syntax. What the source itself holds (a
marketer's HTML, raw HTML inside Markdown) goes through nh3 (the Ammonia sanitizer) with an
allow-list fit for e-mail templates and one-pagers: structure, emphasis, lists, tables, links
to http(s) and mailto, images from http(s). No scripts, styles, event handlers, forms, frames
or SVG, whatever the source says.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt

from app.forks import placeholders

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}, "ol": {"start"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Characters Markdown gives meaning to; a value's are escaped so it stays literal text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")
_markdown = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def sanitize_html(markup: str) -> str:
    """Safe HTML for any page: the allow-list above, links made rel="noopener noreferrer"."""
    return nh3.clean(markup, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                     strip_comments=True)


def render_markdown(source: str, values: Mapping[str, str]) -> str:
    filled = placeholders.fill(source, values, escape=_escape_markdown)
    return sanitize_html(_markdown.render(filled))


def render_html(source: str, values: Mapping[str, str]) -> str:
    return sanitize_html(placeholders.fill(source, values, escape=_escape_html))


def render_text(source: str, values: Mapping[str, str]) -> str:
    return placeholders.fill(source, values)


def render(kind: str, source: str, values: Mapping[str, str]) -> str:
    """Markdown and HTML come back as sanitized HTML; text as the filled text."""
    renderers = {"markdown": render_markdown, "html": render_html, "text": render_text}
    if kind not in renderers:
        raise ValueError(f"no text renderer for {kind!r}")
    return renderers[kind](source, values)


def _escape_html(value: str) -> str:
    return html.escape(value).replace("\n", "<br>")


def _escape_markdown(value: str) -> str:
    # Backslash escapes keep Markdown from reading syntax; HTML-escaping `<` and `&` keeps the
    # raw-HTML rule from reading tags; a newline stays inside its paragraph.
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    return escaped.replace("\\<", "&lt;").replace("\\>", "&gt;").replace("\\&", "&amp;") \
        .replace("\r\n", "\n").replace("\n", "  \n")

"""Snippets: HTML-escaped, only matched terms marked, cut from the caller's text."""

from __future__ import annotations

import re

from app.search.engine.highlight import MAX_FRAGMENTS, snippets
from app.search.engine.whoosh_analysis import ANALYZER

MARK = re.compile(r"<mark>(.*?)</mark>")


def marked(fragments: list[str]) -> list[str]:
    return [m for f in fragments for m in MARK.findall(f)]


def test_html_in_the_text_comes_back_escaped(engine, make_doc, search):
    text = 'Pricing <script>alert("x")</script> & <b>bold</b> pricing terms'
    engine.index([make_doc(1, title="Pricing", text=text)])
    fragments = search("pricing", texts={1: text}).hits[0].highlights
    joined = " ".join(fragments)
    assert "<script>" not in joined and "<b>" not in joined
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in joined
    assert re.sub(r"</?mark>", "", joined).count("<") == 0  # <mark> is the only markup


def test_only_matched_terms_are_marked(engine, make_doc, search):
    text = "We priced it. Pricing models differ; the price list is attached. Prize money."
    engine.index([make_doc(1, title="x", text=text)])
    fragments = search("pricing", texts={1: text}).hits[0].highlights
    assert marked(fragments) == ["priced", "Pricing", "price"]  # all stem to "price"


def test_phrase_words_are_marked_only_where_the_phrase_is(engine, make_doc, search):
    text = "Total revenue grew. The total cost fell. Cost of ownership matters."
    engine.index([make_doc(1, text=text)])
    fragments = search('"total cost"', texts={1: text}).hits[0].highlights
    assert marked(fragments) == ["total", "cost"]
    assert "<mark>total</mark> <mark>cost</mark>" in " ".join(fragments)


def test_typo_and_prefix_matches_are_marked(engine, make_doc, search):
    text = "Healthcare buyers compare companies and pricing."
    engine.index([make_doc(1, text=text)])
    assert marked(search("helthcare", texts={1: text}).hits[0].highlights) == ["Healthcare"]
    assert marked(search("compan*", texts={1: text}).hits[0].highlights) == ["companies"]


def test_excluded_words_are_not_marked(engine, make_doc, search):
    text = "Pricing for retail and for healthcare."
    engine.index([make_doc(1, text=text)])
    fragments = search("pricing -video", texts={1: text}).hits[0].highlights
    assert marked(fragments) == ["Pricing"]


def test_without_a_match_in_the_text_the_opening_is_shown(engine, make_doc, search):
    text = "An introduction <to> the deck."
    engine.index([make_doc(1, title="Pricing", text=text)])
    assert search("pricing", texts={1: text}).hits[0].highlights == [
        "An introduction &lt;to&gt; the deck."
    ]


def test_no_text_for_means_no_highlights(engine, make_doc, search):
    engine.index([make_doc(1, title="Pricing", text="pricing")])
    assert search("pricing").hits[0].highlights == []


def test_fragments_are_bounded_and_ordered():
    text = " ".join(f"filler{i} pricing filler{i}b" for i in range(200))
    fragments = snippets(text, ANALYZER, {"price"}, set())
    assert 1 <= len(fragments) <= MAX_FRAGMENTS
    positions = [text.find(MARK.sub(r"\1", f).strip("…")[:30]) for f in fragments]
    assert positions == sorted(positions)
    assert all(len(f) < 400 for f in fragments)


def test_accented_text_is_marked_for_an_unaccented_query(engine, make_doc, search):
    text = "Le résumé du CFO."
    engine.index([make_doc(1, text=text)])
    assert marked(search("resume", texts={1: text}).hits[0].highlights) == ["résumé"]


def test_phrase_marks_allow_stop_words_between(engine, make_doc, search):
    text = "Lower cost. The cost of ownership is what matters to the ownership team."
    engine.index([make_doc(1, text=text)])
    fragments = search('"cost ownership"', texts={1: text}).hits[0].highlights
    assert marked(fragments) == ["cost", "ownership"]
    assert "<mark>cost</mark> of <mark>ownership</mark>" in " ".join(fragments)


def test_tokens_are_matched_whole():
    text = "Version v2.0 ships; v2 was older. Deadline and lineup."
    assert marked(snippets(text, ANALYZER, {"v2"}, set())) == ["v2"]
    assert marked(snippets(text, ANALYZER, {"line"}, set())) == []

"""Readable, safe diffs of text: line changes, word highlights, collapsed unchanged stretches."""

from __future__ import annotations

import re
import time

import corpus
import docx
import pytest

from app.forks.diff import diff_html, diff_stats, slides_summary

REMOVED = '<div class="del">'
ADDED = '<div class="ins">'
NO_CHANGE = '<p class="diff-none">No changes in the text.</p>'


def same(text: str) -> str:
    return f'<div class="same">{text}</div>'


def numbered(count: int) -> str:
    return "".join(f"line {i}\n" for i in range(1, count + 1))


def test_a_word_changed_in_one_line_is_highlighted_inside_it():
    out = diff_html("Our price is 10 dollars.\n", "Our price is 12 dollars.\n")
    assert out == ('<div class="diff-lines">\n'
                   f"{REMOVED}Our price is <del>10</del> dollars.</div>\n"
                   f"{ADDED}Our price is <ins>12</ins> dollars.</div>\n"
                   "</div>")


def test_unchanged_stretches_collapse_around_the_context():
    old = numbered(20)
    new = old.replace("line 10\n", "line ten\n")
    out = diff_html(old, new, context=2)
    assert out == ('<div class="diff-lines">\n'
                   '<div class="skip">… 7 unchanged lines …</div>\n'
                   f"{same('line 8')}\n{same('line 9')}\n"
                   f"{REMOVED}line <del>10</del></div>\n"
                   f"{ADDED}line <ins>ten</ins></div>\n"
                   f"{same('line 11')}\n{same('line 12')}\n"
                   '<div class="skip">… 8 unchanged lines …</div>\n'
                   "</div>")


def test_a_stretch_between_two_changes_keeps_context_on_both_sides():
    old = numbered(12)
    new = old.replace("line 1\n", "line one\n").replace("line 12\n", "line twelve\n")
    out = diff_html(old, new, context=1)
    # Lines 2..11 unchanged: line 2 and line 11 shown, 8 collapsed between them.
    assert f"{same('line 2')}\n" in out and f"{same('line 11')}\n" in out
    assert '<div class="skip">… 8 unchanged lines …</div>' in out
    assert out.count('class="same"') == 2


def test_a_single_hidden_line_is_shown_not_collapsed():
    old = numbered(5)
    new = old.replace("line 1\n", "line one\n").replace("line 5\n", "line five\n")
    out = diff_html(old, new, context=1)
    assert 'class="skip"' not in out and out.count('class="same"') == 3


def test_context_zero_shows_only_the_changes():
    out = diff_html(numbered(3), numbered(3).replace("line 3\n", "line three\n"), context=0)
    assert out.startswith('<div class="diff-lines">\n<div class="skip">… 2 unchanged lines …</div>')
    assert 'class="same"' not in out
    assert diff_html("a\nb\nc\n", "a\nb\nc\nd\n", context=-3) == diff_html(
        "a\nb\nc\n", "a\nb\nc\nd\n", context=0)


def test_whole_lines_added_and_removed():
    out = diff_html("keep\ngone\n", "keep\nnew one\nnew two\n")
    assert out == ('<div class="diff-lines">\n'
                   f"{same('keep')}\n"
                   f"{REMOVED}<del>gone</del></div>\n"
                   f"{ADDED}<ins>new one</ins></div>\n"
                   f"{ADDED}<ins>new two</ins></div>\n"
                   "</div>")


def test_a_rewritten_line_is_shown_whole_not_word_by_word():
    out = diff_html("The quick brown fox\n", "Completely different words here\n")
    assert f"{REMOVED}<del>The quick brown fox</del></div>" in out
    assert f"{ADDED}<ins>Completely different words here</ins></div>" in out


def test_no_change_says_so():
    assert diff_html("same\r\n", "same\n") == NO_CHANGE
    assert diff_html("", "") == NO_CHANGE


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "</div><iframe src=javascript:alert(1)>",
    "&lt;script&gt; already escaped",
    "<del>fake</del><ins>fake</ins>",
])
def test_script_in_either_text_comes_out_escaped(attack):
    old = f"Hello\nDear {attack} team, thanks for a long talk today\nBye\n"
    new = f"Hello\nDear {attack} folks, thanks for a long talk today {attack}\nBye {attack}\n"
    out = diff_html(old, new)
    assert f"{REMOVED}Dear " in out  # the word-by-word path, not only whole lines
    markup = re.sub(r"</?(div|del|ins)( [^>]*)?>", "", out)
    assert "<" not in markup and ">" not in markup
    if "<" in attack:
        assert "&lt;" in out
    else:
        assert "&amp;lt;script&amp;gt;" in out


def test_stats_count_lines_added_and_removed():
    assert diff_stats("a\nb\nc\n", "a\nB\nc\nd\ne\n") == (3, 1)
    assert diff_stats("a\nb\n", "a\n") == (0, 1)
    assert diff_stats("", "x\ny") == (2, 0)
    assert diff_stats("a\r\nb\r\n", "a\nb\n") == (0, 0)


def test_real_document_text_diff():
    paragraphs = [p.text for p in docx.Document(
        corpus.path("office/docx/par-hlink-frags.docx")).paragraphs if p.text.strip()]
    old = "\n".join(paragraphs) + "\n"
    new = old.replace("Five with link to http://foo.com#introduction.",
                      "Five with link to https://foo.com#introduction.")
    out = diff_html(old, new, context=1)
    assert f"{REMOVED}Five with link to <del>http</del>://foo.com#introduction.</div>" in out
    assert f"{ADDED}Five with link to <ins>https</ins>://foo.com#introduction.</div>" in out
    assert '<div class="skip">… 3 unchanged lines …</div>' in out
    assert diff_stats(old, new) == (1, 1)


def test_large_texts_diff_quickly():
    old = "".join(f"Paragraph {i} says something about pricing and value.\n" for i in range(5000))
    new = old.replace("Paragraph 2500 says", "Paragraph 2500 now says")
    started = time.perf_counter()
    out = diff_html(old, new)
    assert time.perf_counter() - started < 5
    assert out.count('class="skip"') == 2 and diff_stats(old, new) == (1, 1)


def test_a_100000_character_paragraph_is_highlighted_word_by_word_quickly():
    old = " ".join(f"term{i % 997} and the" for i in range(8_000))
    assert len(old) > 100_000
    new = old.replace("term500 and", "term500 or", 1)
    started = time.perf_counter()
    out = diff_html(old, new)
    assert time.perf_counter() - started < 2
    assert out.count("<del>") == 1 and "<del>and</del>" in out and "<ins>or</ins>" in out


def test_long_texts_full_of_blank_lines_stay_fast():
    lines = [line for i in range(3_000) for line in (f"Paragraph {i}.", "")]
    old = "\n".join(lines)
    new = "\n".join(lines[::-1])
    started = time.perf_counter()
    diff_html(old, new)
    assert time.perf_counter() - started < 3


def test_an_empty_line_keeps_its_height():
    out = diff_html("a\n\nb\n", "a\n\nB\n")
    assert out == ('<div class="diff-lines">\n' + same("a") + "\n" + same("&nbsp;") + "\n"
                   f"{REMOVED}<del>b</del></div>\n{ADDED}<ins>B</ins></div>\n</div>")


def test_slides_summary_in_words_and_escaped():
    assert slides_summary([3, 1], [2]) == (
        '<p class="diff-slides">Keeps slides 3, 1 in this order; drops 2.</p>')
    assert slides_summary([], []) == '<p class="diff-slides">Keeps every slide.</p>'
    assert slides_summary([1, 3, 2], [4, 5]) == (
        '<p class="diff-slides">Keeps slides 1, 3, 2 in this order; drops 4, 5.</p>')


def test_slides_summary_never_contradicts_itself():
    assert slides_summary([2], [1, 3]) == '<p class="diff-slides">Keeps slide 2; drops 1, 3.</p>'
    assert slides_summary([], [1, 2]) == (
        '<p class="diff-slides">Keeps no slides; drops 1, 2.</p>')

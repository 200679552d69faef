"""The pure parts of forks, with every expected result written out by hand: the three-way merge,
the readable diff, the field grammar, text rendering and what marketing learns."""

from __future__ import annotations

import pytest

from app.forks import diff, learning, placeholders, text
from app.forks.merge import Conflict, merge

BASE = "Intro\nPricing: 10 seats\nSupport: email\nThanks\n"


@pytest.mark.parametrize("mine, theirs, expected", [
    # Changes on different lines both land.
    ("Intro for Acme\nPricing: 10 seats\nSupport: email\nThanks\n",
     "Intro\nPricing: 10 seats\nSupport: 24/7 phone\nThanks\n",
     "Intro for Acme\nPricing: 10 seats\nSupport: 24/7 phone\nThanks\n"),
    # The same change on both sides is taken once.
    ("Intro\nPricing: 5 seats\nSupport: email\nThanks\n",
     "Intro\nPricing: 5 seats\nSupport: email\nThanks\n",
     "Intro\nPricing: 5 seats\nSupport: email\nThanks\n"),
    # One side unchanged: the other side wins, deletions included.
    (BASE, "Intro\nSupport: email\nThanks\n", "Intro\nSupport: email\nThanks\n"),
    ("Intro\nPricing: 10 seats\nThanks\n", BASE, "Intro\nPricing: 10 seats\nThanks\n"),
    # Additions at both ends.
    ("Hi Acme\n" + BASE, BASE + "PS: see you Tuesday\n",
     "Hi Acme\n" + BASE + "PS: see you Tuesday\n"),
])
def test_edits_that_do_not_overlap_merge_cleanly(mine, theirs, expected):
    result = merge(BASE, mine, theirs)
    assert result.clean
    assert result.text == expected


def test_overlapping_edits_are_conflicts_and_nothing_is_dropped():
    mine = "Intro\nPricing: 20% off for Acme\nSupport: email\nThanks\n"
    theirs = "Intro\nPricing: 5 seats\nSupport: email\nThanks\n"
    result = merge(BASE, mine, theirs)
    assert result.conflicts == [Conflict("Pricing: 10 seats\n", "Pricing: 20% off for Acme\n",
                                         "Pricing: 5 seats\n")]
    with pytest.raises(ValueError):
        _ = result.text
    with pytest.raises(KeyError):
        result.resolve({})
    assert result.resolve({0: "mine"}) == mine
    assert result.resolve({0: "theirs"}) == theirs
    assert result.resolve({0: "both"}) == ("Intro\nPricing: 20% off for Acme\n"
                                          "Pricing: 5 seats\nSupport: email\nThanks\n")
    assert result.resolve({0: "Pricing: 5 seats, 20% off"}) == (
        "Intro\nPricing: 5 seats, 20% off\nSupport: email\nThanks\n")


def test_an_edit_against_a_deletion_is_a_conflict():
    result = merge(BASE, "Intro\nPricing: 12 seats\nSupport: email\nThanks\n",
                   "Intro\nSupport: email\nThanks\n")
    assert result.conflicts == [Conflict("Pricing: 10 seats\n", "Pricing: 12 seats\n", "")]


def test_insertions_at_the_same_place_conflict_and_an_empty_base_works():
    result = merge(BASE, BASE.replace("Thanks", "Mine\nThanks"),
                   BASE.replace("Thanks", "Theirs\nThanks"))
    assert result.conflicts == [Conflict("", "Mine\n", "Theirs\n")]
    assert merge("", "a\n", "").text == "a\n"
    assert merge("", "a\n", "b\n").conflicts == [Conflict("", "a\n", "b\n")]


def test_line_endings_do_not_make_conflicts():
    crlf = BASE.replace("\n", "\r\n")
    result = merge(crlf, BASE.replace("Intro", "Hello"), crlf)
    assert result.clean and result.text == BASE.replace("Intro", "Hello")


def test_the_diff_escapes_everything_and_marks_words():
    html = diff.diff_html("Hi <script>alert(1)</script>\nsame\n",
                          "Hi <b>there</b>\nsame\n")
    assert "<script" not in html and "<b>" not in html
    assert "&lt;<del>script</del>&gt;" in html and "&lt;<ins>b</ins>&gt;" in html
    assert diff.diff_stats("a\nb\nc\n", "a\nB\nc\nd\n") == (2, 1)
    assert diff.diff_html("same\n", "same\n") == '<p class="diff-none">No changes in the text.</p>'
    long = "\n".join(f"line {n}" for n in range(20))
    collapsed = diff.diff_html(long, long.replace("line 10", "line ten"))
    assert "… 8 unchanged lines …" in collapsed  # 0-7 hidden, 8-9 shown before line 10
    assert "<del>10</del>" in collapsed and "<ins>ten</ins>" in collapsed


def test_the_field_grammar():
    source = "Hi {{Company}}, {{ contact_name }}! {{company}} {{bad} {{ }} {{two words}}"
    assert placeholders.find(source) == ["company", "contact_name"]
    problems = placeholders.problems(source)
    assert [p.split("”")[0].lstrip("“") for p in problems] == ["{{bad}", "{{ }}",
                                                                "{{two words}}"]
    assert placeholders.fill(source, {"company": "Acme"}).startswith("Hi Acme, {{ contact_name")


def test_values_cannot_become_markup_in_markdown_or_html():
    values = {"company": "[x](javascript:alert(1)) **b** <img src=x onerror=y> `c`"}
    markdown = text.render("markdown", "# {{company}}\n", values)
    assert markdown == ("<h1>[x](javascript:alert(1)) **b** &lt;img src=x onerror=y&gt; "
                        "`c`</h1>\n")
    html = text.render("html", '<p onclick="x" style="color:red">{{company}}</p>'
                               '<a href="javascript:alert(1)">a</a><iframe src="//e"></iframe>',
                       values)
    assert html == ('<p>[x](javascript:alert(1)) **b** &lt;img src=x onerror=y&gt; `c`</p>'
                    '<a rel="noopener noreferrer">a</a>')


def test_what_marketing_learns_from_text_and_values():
    base = "Intro.\n\nPricing: 10 seats.\n\nSupport by email.\n\nThanks."
    # Pricing rewritten, Support moved (not rewritten), Thanks deleted.
    body = "Intro.\n\nSupport   by email.\n\nPricing: 20% off."
    assert learning.rewritten_paragraphs(base, body) == [1, 3]
    assert learning.typical_values(["Acme", "ACME ", "Beta", "beta", "beta", "Gamma"], top=2) == [
        ("beta", 3), ("Acme", 2)]
    assert learning.dropped_slides(3, [[1, 3], None, [3]]) == {1: 1, 2: 2, 3: 0}

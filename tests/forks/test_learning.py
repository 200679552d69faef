"""What marketing learns from forks: paragraphs rewritten, typical values, slides dropped."""

from __future__ import annotations

import corpus
import pptx

from app.forks.learning import dropped_slides, paragraphs, rewritten_paragraphs, typical_values

EMAIL = ("Dear {{contact_name}},\n\n"
         "Our platform saves   sales teams\nten hours a week.\n\n"
         "Customers like {{company}} see results in a month.\n\n"
         "Best,\n{{rep_name}}\n")


def test_paragraphs_split_on_blank_lines_and_squeeze_whitespace():
    assert paragraphs(EMAIL) == [
        "Dear {{contact_name}},",
        "Our platform saves sales teams ten hours a week.",
        "Customers like {{company}} see results in a month.",
        "Best, {{rep_name}}",
    ]


def test_paragraphs_handle_crlf_blank_lines_with_spaces_and_empty_text():
    assert paragraphs("one\r\n \r\ntwo\r\n\r\n\r\n\tthree  ") == ["one", "two", "three"]
    assert paragraphs("") == [] and paragraphs("\n \n\n") == []


def test_unchanged_and_rewrapped_text_has_no_rewrites():
    rewrapped = EMAIL.replace("saves   sales teams\nten", "saves sales\nteams ten")
    assert rewritten_paragraphs(EMAIL, EMAIL) == []
    assert rewritten_paragraphs(EMAIL, rewrapped.replace("\n", "\r\n")) == []


def test_changed_and_deleted_paragraphs_are_rewritten():
    body = EMAIL.replace("ten hours", "twelve hours").replace(
        "Customers like {{company}} see results in a month.\n\n", "")
    assert rewritten_paragraphs(EMAIL, body) == [1, 2]


def test_a_moved_paragraph_is_not_rewritten():
    parts = EMAIL.split("\n\n")
    moved = "\n\n".join([parts[0], parts[2], parts[1], parts[3]])
    assert rewritten_paragraphs(EMAIL, moved) == []


def test_a_paragraph_added_by_the_rep_rewrites_nothing():
    assert rewritten_paragraphs(EMAIL, EMAIL + "\nP.S. Lunch on me.\n") == []


def test_one_word_or_punctuation_changed_counts():
    assert rewritten_paragraphs(EMAIL, EMAIL.replace("Best,", "Best")) == [3]


def test_a_duplicated_paragraph_kept_once_counts_its_later_copy():
    base = "Call us.\n\nMiddle.\n\nCall us.\n"
    assert rewritten_paragraphs(base, "Call us.\n\nMiddle.\n") == [2]


def test_fields_filled_in_are_not_a_rewrite_when_values_are_given():
    body = EMAIL.replace("{{company}}", "Acme").replace("{{contact_name}}", "Ann")
    assert rewritten_paragraphs(EMAIL, body) == [0, 2]
    assert rewritten_paragraphs(EMAIL, body, {"Company": "Acme", "contact_name": "Ann"}) == []
    assert rewritten_paragraphs(EMAIL, body, {"company": "Globex"}) == [0, 2]


def test_typical_values_group_case_and_whitespace_and_show_the_common_spelling():
    values = ["Acme Corp", "acme  corp", "Globex", " ACME CORP ", "Acme Corp", "globex",
              "Initech", "", "   ", "Umbrella"]
    assert typical_values(values) == [("Acme Corp", 4), ("Globex", 2), ("Initech", 1)]
    assert typical_values(values, top=1) == [("Acme Corp", 4)]
    assert typical_values(values, top=10)[-1] == ("Umbrella", 1)


def test_typical_values_ties_go_to_the_first_seen():
    assert typical_values(["b", "a", "A", "B"]) == [("b", 2), ("a", 2)]
    assert typical_values([]) == [] and typical_values(["x"], top=0) == []


def test_dropped_slides_counts_every_slide():
    kept = [None, [1, 2, 3, 4], [3, 1], [4, 3, 2, 1], [1]]
    assert dropped_slides(4, kept) == {1: 0, 2: 2, 3: 1, 4: 2}


def test_dropped_slides_ignores_numbers_outside_the_deck_and_repeats():
    assert dropped_slides(3, [[1, 1, 9, 0], [2, 3]]) == {1: 1, 2: 1, 3: 1}
    assert dropped_slides(0, [[1]]) == {}
    assert dropped_slides(2, []) == {1: 0, 2: 0}


def test_dropped_slides_of_a_real_deck():
    deck = pptx.Presentation(corpus.path("office/pptx/ph-populated-placeholders.pptx"))
    count = len(deck.slides)
    assert count == 9
    every_other = [n for n in range(1, count + 1) if n % 2]
    result = dropped_slides(count, [every_other, None, list(range(count, 0, -1))])
    assert result == {n: (0 if n % 2 else 1) for n in range(1, count + 1)}

"""Three-way merge for "Update my fork": clean merges, conflicts, resolutions, line endings."""

from __future__ import annotations

import random
import time

import corpus
import docx
import pytest

from app.forks.merge import Clean, Conflict, MergeError, merge

BASE = "Intro\nOne\nTwo\nThree\nFour\nFive\nOutro\n"


def test_unchanged_sides_merge_to_the_same_text():
    result = merge(BASE, BASE, BASE)
    assert result.clean and result.text == BASE
    assert result.chunks == [Clean(BASE)]


def test_only_the_rep_changed_keeps_the_rep_text():
    mine = BASE.replace("Two", "Two, for Acme")
    assert merge(BASE, mine, BASE).text == mine


def test_only_the_source_changed_takes_the_new_source():
    theirs = BASE.replace("Four", "Four (2025 pricing)")
    assert merge(BASE, BASE, theirs).text == theirs


def test_non_overlapping_edits_both_arrive():
    mine = "Intro\nOne for Acme\nTwo\nThree\nFour\nFive\nOutro\n"
    theirs = "Intro\nOne\nTwo\nThree\nFour\nFive v2\nOutro\nP.S. new\n"
    result = merge(BASE, mine, theirs)
    assert result.clean
    assert result.text == "Intro\nOne for Acme\nTwo\nThree\nFour\nFive v2\nOutro\nP.S. new\n"


def test_identical_changes_on_both_sides_merge_once():
    both = "Intro\nOne\nTWO\nThree\nFour\nFive\nOutro\nNew line\n"
    result = merge(BASE, both, both)
    assert result.clean and result.text == both


def test_identical_deletion_on_both_sides():
    both = BASE.replace("Three\n", "")
    assert merge(BASE, both, both).text == both


def test_overlapping_different_edits_are_a_conflict():
    mine = BASE.replace("Three", "Three for Acme")
    theirs = BASE.replace("Three", "Three, updated")
    result = merge(BASE, mine, theirs)
    assert not result.clean
    assert result.chunks == [Clean("Intro\nOne\nTwo\n"),
                             Conflict("Three\n", "Three for Acme\n", "Three, updated\n"),
                             Clean("Four\nFive\nOutro\n")]
    assert result.conflicts == [Conflict("Three\n", "Three for Acme\n", "Three, updated\n")]


def test_edits_of_neighbouring_lines_both_arrive():
    # GNU diff3 and git would call this a conflict; the two edits share no line.
    result = merge(BASE, BASE.replace("Two", "2"), BASE.replace("Three", "3"))
    assert result.clean and result.text == "Intro\nOne\n2\n3\nFour\nFive\nOutro\n"


def test_an_insertion_next_to_the_other_side_edit_lands_beside_it():
    mine = BASE.replace("Outro", "Outro for Acme")
    theirs = BASE + "P.S. new offer\n"
    assert merge(BASE, mine, theirs).text == (
        "Intro\nOne\nTwo\nThree\nFour\nFive\nOutro for Acme\nP.S. new offer\n")
    before = BASE.replace("Intro\n", "Intro\nInserted before One\n")
    assert merge(BASE, before, BASE.replace("One", "One v2")).text == (
        "Intro\nInserted before One\nOne v2\nTwo\nThree\nFour\nFive\nOutro\n")


def test_an_insertion_inside_the_other_side_change_is_a_conflict():
    mine = BASE.replace("Two\n", "Two\nMine between\n")
    theirs = BASE.replace("Two\nThree\n", "Two and three, merged\n")
    assert merge(BASE, mine, theirs).conflicts == [
        Conflict("Two\nThree\n", "Two\nMine between\nThree\n", "Two and three, merged\n")]


def test_a_change_overlapping_two_of_the_other_side_is_one_conflict():
    mine = BASE.replace("Two\nThree\nFour\n", "2-3-4\n")
    theirs = BASE.replace("Two", "TWO").replace("Four", "FOUR")
    assert merge(BASE, mine, theirs).conflicts == [
        Conflict("Two\nThree\nFour\n", "2-3-4\n", "TWO\nThree\nFOUR\n")]


def test_deletion_against_an_edit_is_a_conflict_not_a_loss():
    mine = BASE.replace("Three\n", "")
    theirs = BASE.replace("Three", "Three, improved")
    result = merge(BASE, mine, theirs)
    assert result.conflicts == [Conflict("Three\n", "", "Three, improved\n")]
    assert result.resolve({0: "theirs"}) == theirs
    assert result.resolve({0: "mine"}) == mine


def test_edit_against_the_source_deleting_it_is_a_conflict():
    mine = BASE.replace("Three", "Three for Acme")
    theirs = BASE.replace("Three\n", "")
    assert merge(BASE, mine, theirs).conflicts == [Conflict("Three\n", "Three for Acme\n", "")]


def test_insertions_at_the_same_place_conflict_and_can_keep_both():
    mine = BASE.replace("Two\n", "Two\nMine inserted\n")
    theirs = BASE.replace("Two\n", "Two\nTheirs inserted\n")
    result = merge(BASE, mine, theirs)
    assert result.conflicts == [Conflict("", "Mine inserted\n", "Theirs inserted\n")]
    assert result.resolve({0: "both"}) == (
        "Intro\nOne\nTwo\nMine inserted\nTheirs inserted\nThree\nFour\nFive\nOutro\n")


def test_same_insertion_at_the_same_place_is_clean():
    both = BASE.replace("Two\n", "Two\nSame\n")
    assert merge(BASE, both, both).text == both


def test_empty_base_with_two_different_texts_is_one_conflict():
    result = merge("", "Mine\n", "Theirs\n")
    assert result.chunks == [Conflict("", "Mine\n", "Theirs\n")]
    assert result.resolve({0: "Written by hand"}) == "Written by hand\n"


def test_empty_base_and_one_side_empty_takes_the_other():
    assert merge("", "", "Theirs\n").text == "Theirs\n"
    assert merge("", "Mine\n", "").text == "Mine\n"
    assert merge("", "", "").text == ""


def test_the_rep_emptied_the_fork_and_the_source_did_not_change():
    assert merge(BASE, "", BASE).text == ""


def test_several_conflicts_are_numbered_in_order_and_each_needs_a_choice():
    mine = "A1\nB\nC1\nD\nE1\n"
    theirs = "A2\nB\nC2\nD\nE2\n"
    result = merge("A\nB\nC\nD\nE\n", mine, theirs)
    assert [c.base for c in result.conflicts] == ["A\n", "C\n", "E\n"]
    assert result.resolve({0: "mine", 1: "theirs", 2: "custom E"}) == "A1\nB\nC2\nD\ncustom E\n"
    with pytest.raises(MergeError, match="conflict.s. 2, 3: nothing is dropped"):
        result.resolve({0: "mine"})
    with pytest.raises(MergeError, match="There is no conflict 7"):
        result.resolve({0: "mine", 1: "mine", 2: "mine", 7: "mine"})
    with pytest.raises(MergeError, match="resolution is"):
        result.resolve({0: "mine", 1: "mine", 2: None})


def test_text_of_an_unresolved_merge_is_refused():
    result = merge("a\n", "b\n", "c\n")
    with pytest.raises(MergeError, match="1 conflict"):
        _ = result.text


def test_custom_resolution_without_a_final_newline_does_not_glue_lines():
    result = merge("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n")
    assert result.resolve({0: "B, by hand"}) == "a\nB, by hand\nc\n"
    assert result.resolve({0: ""}) == "a\nc\n"


def test_crlf_against_lf_creates_no_conflict_and_keeps_the_rep_endings():
    base = "a\r\nb\r\nc\r\n"
    mine = "a\r\nB mine\r\nc\r\n"
    theirs = "a\nb\nc\nd new\n"  # the new version was saved on another machine
    result = merge(base, mine, theirs)
    assert result.clean
    assert result.text == "a\r\nB mine\r\nc\r\nd new\r\n"


def test_mixed_line_endings_inside_one_text_are_not_changes():
    base = "a\nb\r\nc\rd\n"
    result = merge(base, "a\r\nb\r\nc\r\nd\r\n", "a\nb\nc\nd\n")
    assert result.clean and result.text == "a\r\nb\r\nc\r\nd\r\n"


def test_conflict_chunks_hold_lf_text_and_resolution_uses_the_rep_endings():
    result = merge("a\r\nb\r\n", "a\r\nmine\r\n", "a\ntheirs\n")
    assert result.conflicts == [Conflict("b\n", "mine\n", "theirs\n")]
    assert result.resolve({0: "x\r\ny"}) == "a\r\nx\r\ny\r\n"


@pytest.mark.parametrize(("base", "mine", "theirs", "expected"), [
    ("a\nb\n", "a\nb\n", "a\nb", "a\nb"),        # the source dropped the final newline
    ("a\nb", "a\nb\n", "a\nb", "a\nb\n"),        # the rep added one
    ("a\nb", "a\nB", "a\nb\nc", "a\nB\nc"),      # the rep's edit, the source's new line, no \n
    ("a\nb\n", "a\nB\n", "a\nb\nc\n", "a\nB\nc\n"),
    # An empty text has no last line, so it does not decide how the merged one ends.
    ("x\n", "", "x\ny\n", "y\n"),             # the rep cleared it, the source added y
    ("x\n", "x\ny\n", "", "y\n"),             # the source cleared it, the rep added y
    ("", "x\n", "x", "x\n"),                   # both wrote x from nothing: the rep's ending
    ("", "", "new", "new"),
])
def test_the_final_newline_is_kept_or_changed_like_any_edit(base, mine, theirs, expected):
    result = merge(base, mine, theirs)
    assert result.clean and result.text == expected


def test_form_feeds_and_unicode_separators_stay_inside_their_lines():
    base = "page one\x0cpage two\nline\u2028same line\n"
    mine = base + "added\n"
    assert merge(base, mine, base).text == mine


def test_paragraph_text_with_blank_lines_merges_paragraph_by_paragraph():
    base = "Dear {{contact_name}},\n\nOur platform saves time.\n\nBest,\n{{rep_name}}\n"
    mine = "Dear {{contact_name}},\n\nOur platform saves Acme's team 10 hours a week.\n\n" \
           "Best,\n{{rep_name}}\n"
    theirs = "Hi {{contact_name}},\n\nOur platform saves time.\n\nKind regards,\n{{rep_name}}\n"
    assert merge(base, mine, theirs).text == (
        "Hi {{contact_name}},\n\nOur platform saves Acme's team 10 hours a week.\n\n"
        "Kind regards,\n{{rep_name}}\n")


def _real_paragraphs() -> list[str]:
    document = docx.Document(corpus.path("office/docx/par-hlink-frags.docx"))
    return [p.text for p in document.paragraphs if p.text.strip()]


def test_real_document_text_merges_both_sides_edits():
    lines = _real_paragraphs()
    assert len(lines) == 9
    base = "\n".join(lines) + "\n"
    mine_lines = list(lines)
    mine_lines[1] = "Two with link to the Acme bookmark."
    theirs_lines = list(lines)
    theirs_lines[6] = "Seven, updated by marketing."
    theirs_lines.append("Ten, new in version 2.")
    result = merge(base, "\n".join(mine_lines) + "\n", "\n".join(theirs_lines) + "\n")
    expected = list(theirs_lines)
    expected[1] = mine_lines[1]
    assert result.clean and result.text == "\n".join(expected) + "\n"


def test_random_edits_never_lose_a_line_of_either_side():
    # Whatever the edits, resolving every conflict with "both" keeps every line of each side.
    rng = random.Random(8)
    base_lines = _real_paragraphs() * 3
    for _ in range(200):
        mine, theirs = _edited(rng, base_lines), _edited(rng, base_lines)
        result = merge("\n".join(base_lines), "\n".join(mine), "\n".join(theirs))
        merged = result.resolve(dict.fromkeys(range(len(result.conflicts)), "both"))
        merged_lines = merged.split("\n")
        for line in set(mine) | set(theirs):
            assert line in merged_lines or line in base_lines, line


def test_random_edits_on_one_side_or_the_same_on_both_merge_to_that_side():
    rng = random.Random(3)
    base_lines = _real_paragraphs() * 2
    base = "\n".join(base_lines) + "\n"
    for _ in range(200):
        edited = "\n".join(_edited(rng, base_lines)) + "\n"
        assert merge(base, edited, base).text == edited
        assert merge(base, base, edited).text == edited
        assert merge(base, edited, edited).text == edited


def test_random_edits_merge_the_same_whichever_side_is_mine():
    # Swapping the sides swaps mine and theirs in every conflict and changes nothing else.
    rng = random.Random(5)
    base_lines = [f"line {i}" for i in range(30)]
    base = "\n".join(base_lines) + "\n"
    for _ in range(300):
        mine = "\n".join(_edited(rng, base_lines)) + "\n"
        theirs = "\n".join(_edited(rng, base_lines)) + "\n"
        forward, backward = merge(base, mine, theirs), merge(base, theirs, mine)
        assert [(c.base, c.mine, c.theirs) for c in forward.conflicts] == [
            (c.base, c.theirs, c.mine) for c in backward.conflicts]
        all_mine = dict.fromkeys(range(len(forward.conflicts)), "mine")
        all_theirs = dict.fromkeys(range(len(forward.conflicts)), "theirs")
        assert forward.resolve(all_mine) == backward.resolve(all_theirs)


def _edited(rng: random.Random, lines: list[str]) -> list[str]:
    edited = list(lines)
    for _ in range(rng.randint(0, 4)):
        where = rng.randrange(len(edited) + 1)
        action = rng.choice(["insert", "delete", "change"])
        if action == "insert" or where == len(edited):
            edited.insert(where, f"new {rng.randint(0, 999)}")
        elif action == "delete":
            del edited[where]
        else:
            edited[where] = edited[where] + f" changed {rng.randint(0, 999)}"
    return edited


def test_long_texts_full_of_blank_lines_merge_fast_and_clean():
    # 10,000 lines, half of them blank: past the exact-matching limit, still right.
    lines = [line for i in range(5_000) for line in (f"Paragraph {i}.", "")]
    base = "\n".join(lines) + "\n"
    mine = base.replace("Paragraph 10.\n", "Paragraph 10, for Acme.\n")
    theirs = base.replace("Paragraph 4000.\n\n", "").replace("Paragraph 9.", "Paragraph 9 v2.")
    started = time.perf_counter()
    result = merge(base, mine, theirs)
    assert time.perf_counter() - started < 3
    assert result.clean and result.text == theirs.replace(
        "Paragraph 10.\n", "Paragraph 10, for Acme.\n")


def test_a_shuffled_long_text_merges_without_hanging():
    rng = random.Random(1)
    lines = [line for i in range(5_000) for line in (f"Paragraph {i}.", "")]
    mine, theirs = list(lines), list(lines)
    rng.shuffle(mine)
    rng.shuffle(theirs)
    started = time.perf_counter()
    result = merge("\n".join(lines), "\n".join(mine), "\n".join(theirs))
    assert time.perf_counter() - started < 5
    both = result.resolve(dict.fromkeys(range(len(result.conflicts)), "both"))
    assert set(both.split("\n")) >= set(mine)


def test_a_missing_choice_reads_as_a_sentence_and_is_a_key_error_too():
    result = merge("a\n", "b\n", "c\n")
    with pytest.raises(KeyError) as caught:
        result.resolve({})
    assert str(caught.value) == "Choose how to resolve conflict(s) 1: nothing is dropped."
    assert isinstance(caught.value, MergeError)

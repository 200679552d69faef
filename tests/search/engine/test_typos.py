"""Typo tolerance and "Did you mean": edit-distance rules, candidate search, suggestions."""

from __future__ import annotations

import random
import string

import pytest

from app.search.engine.fuzzy import Vocabulary, distance, max_edits


@pytest.fixture
def library(engine, make_doc):
    engine.index(
        [
            make_doc(1, title="Healthcare evaluation kit", industry="Healthcare"),
            make_doc(2, title="Pricing calculator", text="Pricing for every tier."),
            make_doc(3, title="Hospital pricing", text="pricing pricing"),
            make_doc(4, title="Security overview", text="Encryption at rest."),
            make_doc(5, title="Prize draw rules"),
        ]
    )
    return engine


def test_misspelt_words_still_find_the_asset(library, search, ids):
    assert ids(search("helthcare")) == [1]
    assert set(ids(search("prcing"))) == {2, 3}
    assert ids(search("secuirty")) == [4]  # two neighbours swapped = one edit
    assert 1 in ids(search("helthcare evaluation"))


def test_suggestion_comes_from_the_index_vocabulary(library, search):
    assert search("helthcare").suggestion == "healthcare"
    assert search("prcing calculator").suggestion == "pricing calculator"
    assert search("Helthcare kit").suggestion == "healthcare kit"


def test_no_suggestion_for_words_that_exist(library, search):
    assert search("pricing").suggestion is None
    assert search("prize").suggestion is None  # a real word is not "corrected"


def test_short_words_are_not_fuzzed(engine, make_doc, search, ids):
    engine.index([make_doc(1, title="Cat food")])
    assert ids(search("cot")) == []  # three letters: no edits allowed
    assert search("cot").suggestion is None


def test_exact_match_outranks_typo_variants(engine, make_doc, search, ids):
    engine.index(
        [make_doc(1, title="pricing"), make_doc(2, title="pricng")]
        + [make_doc(i, title="pricing notes") for i in range(3, 9)]
    )
    found = ids(search("pricng"))
    assert found[0] == 2 and set(found) == set(range(1, 9))


def test_edit_allowance_by_length():
    assert [max_edits("x" * n) for n in (1, 3, 4, 7, 8, 20)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("pricing", "prcing", 1),
        ("security", "secuirty", 1),
        ("kitten", "sitting", 3),
        ("abc", "abc", 0),
        ("", "ab", 2),
        ("ab", "ba", 1),
        ("healthcare", "helthcar", 2),
    ],
)
def test_distance(a, b, expected):
    assert distance(a, b, 5) == expected
    assert distance(a, b, expected) == expected
    if expected:
        assert distance(a, b, expected - 1) == expected  # capped: limit + 1


def test_candidate_search_equals_brute_force():
    rng = random.Random(11)
    words = {"".join(rng.choices("abcde", k=rng.randint(3, 11))) for _ in range(1000)}
    vocab = Vocabulary(words)
    for _ in range(200):
        base = rng.choice(sorted(words))
        typed = _mutate(rng, base, rng.randint(0, 2))
        limit = max_edits(typed)
        expected = {w for w in words if w != typed and distance(typed, w, limit) <= limit}
        assert {w for w, _ in vocab.near(typed)} == (expected if limit else set()), typed


def _mutate(rng: random.Random, word: str, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(len(word))
        op = rng.choice("isdt")
        if op == "i":
            word = word[:i] + rng.choice(string.ascii_lowercase[:5]) + word[i:]
        elif op == "s":
            word = word[:i] + rng.choice("abcde") + word[i + 1 :]
        elif op == "d" and len(word) > 1:
            word = word[:i] + word[i + 1 :]
        elif i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word

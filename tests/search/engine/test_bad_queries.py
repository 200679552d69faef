"""Whatever is typed, search answers with results or a clear message, never an exception."""

from __future__ import annotations

import random

import pytest

from app.search.engine import SearchRequest
from app.search.engine.querylang import MAX_CLAUSES, parse

from .conftest import TODAY

BAD = [
    '"unbalanced quote',
    'pricing "',
    "(pricing",
    "pricing)",
    "((pricing OR security",
    "*",
    "* *",
    "**",
    "p*",
    "stage:",
    "stage: pricing",
    ":",
    "::",
    ":pricing",
    "unknown:field",
    "http://example.com/pricing",
    "pricing\x00security",
    "\x00",
    "-",
    "--",
    "-pricing",
    "-pricing -security",
    "the and of",
    "-the",
    '""',
    '" "',
    "AND OR NOT",
    "pric*ing",
    "pricing~2",
    "title:[a TO z]",
    "price^3",
    "\\",
    "😀 emoji",
    "\ud800 lone surrogate",
    "a" * 10_000,
    "pricing " * 2_000,
    "x" * 41,
]


@pytest.fixture
def library(engine, make_doc):
    engine.index(
        [
            make_doc(1, title="Pricing guide", stage="evaluation"),
            make_doc(2, title="Security overview"),
            make_doc(3, title="Example pricing page", text="See http example com"),
        ]
    )
    return engine


@pytest.mark.parametrize("text", BAD, ids=lambda t: repr(t[:20]))
def test_bad_queries_never_raise(library, search, text):
    response = search(text)
    assert response.total >= 0
    assert response.hits or response.message or response.total == 0
    assert all(isinstance(h.title, str) for h in response.hits)


@pytest.mark.parametrize(
    ("text", "expected", "says"),
    [
        ('"unbalanced quote', None, "closing quote"),
        ("*", None, "prefix search"),
        ("stage:", None, "needs a value"),
        ("unknown:pricing", {1, 3}, "not a filter we know"),
        ("the and of", set(), "very common words"),
        ("a" * 10_000, set(), "shortened"),
        ("pricing " * 2_000, {1, 3}, "shortened"),
    ],
)
def test_simplified_queries_say_what_happened(library, search, ids, text, expected, says):
    response = search(text)
    assert says in (response.message or "")
    if expected is not None:
        assert set(ids(response)) == expected


def test_plain_queries_have_no_message(library, search):
    assert search("pricing").message is None


def test_nul_bytes_split_words(library, search, ids):
    assert set(ids(search("pricing\x00security"))) == {1, 2, 3}


def test_clause_count_is_capped():
    query = parse(" ".join(f"w{i}" for i in range(100)))
    assert len(query.clauses) == MAX_CLAUSES
    assert any("first" in note for note in query.notes)


def test_odd_request_fields_are_tolerated(library, engine):
    request = SearchRequest(
        "pricing",
        {"kind": ["pdf"]},
        ("published", "bogus"),
        sort="sideways",
        page=-3,
        per_page=10_000,
        today=TODAY,
    )
    response = engine.search(request)
    assert response.total == 2 and len(response.hits) == 2


def test_fuzzed_queries_never_raise(library, search):
    rng = random.Random(5)
    alphabet = 'ab pricing"()*:-+~^\\/\x00\t\n:stage:kind:tag:é😀'
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        search(text)


def test_failing_texts_for_does_not_break_the_search(library, engine):
    def broken(asset_ids: list[int]) -> dict[int, str]:
        raise RuntimeError("database gone")

    response = engine.search(SearchRequest("pricing", {}, ("published",), today=TODAY), broken)
    assert response.total == 2 and all(h.highlights == [] for h in response.hits)

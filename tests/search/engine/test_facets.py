"""Facet counts over the whole result set, filters (AND across facets, OR within), and
status visibility: reps never see drafts or archived assets anywhere in a response."""

from __future__ import annotations

import pytest

from .conftest import EVERYONE


def _sheet(make_doc, i: int):
    return make_doc(
        i,
        title=f"Pricing sheet {i}",
        industry=("Healthcare", "Retail", "Energy")[i % 3],
        stage=("evaluation", "proposal")[i % 2],
        kind="pdf" if i <= 40 else "slides",
        persona="CFO",
        tags=("roi",) if i % 4 == 0 else ("roi", "security"),
    )


@pytest.fixture
def library(engine, make_doc):
    docs = [_sheet(make_doc, i) for i in range(1, 61)]  # 60 published: 3 pages of 20
    # Drafts and archived assets that match the same query and add new facet values.
    docs.append(
        make_doc(
            101,
            title="Pricing draft",
            status="draft",
            industry="Education",
            stage="closing",
            kind="video",
            tags=("secret-tag",),
        )
    )
    docs.append(
        make_doc(
            102,
            title="Pricing archive",
            status="archived",
            industry="Healthcare",
            stage="evaluation",
            kind="pdf",
            tags=("roi",),
        )
    )
    docs.append(make_doc(103, title="Unrelated", industry="Healthcare"))
    engine.index(docs)
    return engine


def facet(response, name):
    return dict(response.facets[name])


def test_counts_cover_the_whole_result_set_not_the_page(library, search):
    found = search("pricing", per_page=20)
    assert found.total == 60 and len(found.hits) == 20
    assert facet(found, "industry") == {"healthcare": 20, "retail": 20, "energy": 20}
    assert facet(found, "kind") == {"pdf": 40, "slides": 20}
    assert facet(found, "tag") == {"roi": 60, "security": 45}
    assert facet(found, "persona") == {"cfo": 60}


def test_reps_never_see_drafts_or_archived(library, search, ids):
    found = search("pricing", per_page=100)
    assert found.total == 60
    assert not {101, 102} & set(ids(found))
    assert "education" not in facet(found, "industry")
    assert "closing" not in facet(found, "stage")
    assert "video" not in facet(found, "kind")
    assert "secret-tag" not in facet(found, "tag")
    assert facet(found, "stage")["evaluation"] == 30
    for text in ("draft", "archive", "tag:secret-tag", "pric*", "", "-unrelated"):
        assert not {101, 102} & set(ids(search(text, per_page=100))), text


def test_marketers_see_every_status(library, search, ids):
    found = search("pricing", statuses=EVERYONE, per_page=100)
    assert found.total == 62 and {101, 102} <= set(ids(found))
    assert facet(found, "industry")["education"] == 1
    assert facet(found, "industry")["healthcare"] == 21


def test_no_visible_status_means_no_results(library, search):
    found = search("pricing", statuses=())
    assert found.total == 0 and found.hits == []


def test_filters_and_across_facets_or_within(library, search, ids):
    one = search("pricing", filters={"industry": ["Healthcare"]}, per_page=100)
    assert one.total == 20
    either = search("pricing", filters={"industry": ["Healthcare", "retail"]}, per_page=100)
    assert either.total == 40
    both = search(
        "pricing", per_page=100, filters={"industry": ["Healthcare", "Retail"], "kind": ["slides"]}
    )
    assert both.total == len([i for i in range(41, 61) if i % 3 in (0, 1)])
    assert all(i > 40 for i in ids(both))


def test_facet_counts_leave_out_their_own_selection(library, search):
    found = search("pricing", filters={"industry": ["healthcare"], "kind": ["slides"]})
    slides, healthcare = range(41, 61), [i for i in range(1, 61) if i % 3 == 0]
    # industry counts ignore the industry selection (so Retail shows what OR-ing it adds)
    # but apply the kind selection; kind counts do the reverse.
    assert facet(found, "industry") == {
        "healthcare": sum(1 for i in slides if i % 3 == 0),
        "retail": sum(1 for i in slides if i % 3 == 1),
        "energy": sum(1 for i in slides if i % 3 == 2),
    }
    assert facet(found, "kind") == {
        "pdf": sum(1 for i in healthcare if i <= 40),
        "slides": sum(1 for i in healthcare if i > 40),
    }
    assert found.total == facet(found, "industry")["healthcare"] == 7


def test_selected_values_are_listed_even_with_no_matches(library, search):
    found = search("pricing", filters={"industry": ["Atlantis"]})
    assert found.total == 0
    assert facet(found, "industry")["atlantis"] == 0


def test_unknown_filter_names_and_empty_values_are_ignored(library, search):
    found = search("pricing", filters={"colour": ["red"], "kind": [], "stage": [""]})
    assert found.total == 60


def test_browsing_without_text_counts_everything_visible(library, search):
    found = search("", filters={"stage": ["proposal"]})
    assert found.total == 30
    assert facet(found, "stage") == {"evaluation": 30, "proposal": 30}
    assert search("").total == 61  # every visible asset, "Unrelated" (no stage) included


def test_field_clauses_in_the_query_filter_too(library, search):
    assert search("pricing industry:retail").total == 20
    assert search("pricing -industry:retail").total == 40


def test_status_clause_narrows_within_what_the_caller_may_see(library, search, ids):
    assert ids(search("pricing status:draft", statuses=EVERYONE)) == [101]
    assert search("pricing status:draft").total == 0  # a rep still sees no drafts
    assert search("pricing -status:archived", statuses=EVERYONE).total == 61

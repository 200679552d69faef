"""Turns parsed clauses into index terms: stemming, typo variants, prefix expansion, and the
"Did you mean" suggestion. Backend-neutral: it only asks the snapshot for document
frequencies, prefix expansions and the spelling vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .fuzzy import Vocabulary, max_edits
from .querylang import Clause, ParsedQuery

FUZZY_FACTOR = 0.7  # a typo variant scores below an exact match of the same statistics
RARE_DF = 2  # words in at most this many assets are treated as possible typos
SUGGEST_RATIO = 3  # ...when a close word is in at least 3x as many assets
MAX_VARIANTS = 8
MAX_PREFIX_TERMS = 16  # the most frequent completions; each is a posting list to read


class Analysis(Protocol):
    def fold(self, raw: str) -> str: ...

    def term(self, raw: str) -> str | None: ...

    def terms(self, text: str) -> list[str]: ...

    def split(self, text: str) -> list[str]: ...


class Lexicon(Protocol):
    def df(self, term: str) -> int: ...

    def expand_prefix(self, prefix: str) -> list[tuple[str, int]]: ...

    def vocabulary(self) -> Vocabulary: ...


@dataclass
class Group:
    """One thing the user asked for; a document matches it through any variant, and scores
    by its best variant. variants: (index term, score factor)."""

    variants: list[tuple[str, float]]


@dataclass
class Plan:
    groups: list[Group] = field(default_factory=list)  # words/prefixes: all preferred
    phrases: list[list[str]] = field(default_factory=list)  # required
    fields: list[tuple[str, str]] = field(default_factory=list)  # required (facet, value)
    not_groups: list[Group] = field(default_factory=list)
    not_phrases: list[list[str]] = field(default_factory=list)
    not_fields: list[tuple[str, str]] = field(default_factory=list)
    marks: set[str] = field(default_factory=set)  # terms the highlighter marks anywhere
    pairs: set[tuple[str, str]] = field(default_factory=set)  # marked only side by side
    notes: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> suggestion
    searched: bool = False  # the query asked for text (as opposed to browsing)

    @property
    def nothing_to_find(self) -> bool:
        """Text was typed but none of it is searchable (only stop words, say)."""
        positive = self.groups or self.phrases or self.fields
        return self.searched and not positive and not self.has_exclusions

    @property
    def has_exclusions(self) -> bool:
        return bool(self.not_groups or self.not_phrases or self.not_fields)


def build(query: ParsedQuery, lexicon: Lexicon, analysis: Analysis) -> Plan:
    plan = Plan(notes=list(query.notes), searched=bool(query.clauses))
    for clause in query.clauses:
        _add(plan, clause, lexicon, analysis)
    if plan.nothing_to_find:
        plan.notes.append("Your search only had very common words; try more specific ones.")
    return plan


def _add(plan: Plan, clause: Clause, lexicon: Lexicon, analysis: Analysis) -> None:
    if clause.kind == "field":
        (plan.not_fields if clause.negated else plan.fields).append((clause.field, clause.text))
    elif clause.kind == "phrase":
        _phrase(plan, clause, analysis)
    elif clause.kind == "prefix":
        group = _prefix(clause.text, lexicon, analysis)
        if clause.negated:
            plan.not_groups.append(group)
        else:
            plan.groups.append(group)
            plan.marks.update(term for term, _ in group.variants)
    else:
        _word(plan, clause.text, clause.negated, lexicon, analysis)


def _phrase(plan: Plan, clause: Clause, analysis: Analysis) -> None:
    terms = analysis.terms(clause.text)
    if not terms:
        plan.notes.append(f'"{clause.text}" only has very common words and was ignored.')
        return
    if len(terms) == 1:
        group = Group([(terms[0], 1.0)])
        (plan.not_groups if clause.negated else plan.groups).append(group)
        if not clause.negated:
            plan.marks.add(terms[0])
        return
    (plan.not_phrases if clause.negated else plan.phrases).append(terms)
    if not clause.negated:
        plan.pairs.update(zip(terms, terms[1:], strict=False))


def _word(plan: Plan, raw: str, negated: bool, lexicon: Lexicon, analysis: Analysis) -> None:
    # A typed token such as "e-commerce" or "roi/tco" holds several words.
    for part in analysis.split(raw):
        term = analysis.term(part)
        if term is None:
            continue
        if negated:
            plan.not_groups.append(Group([(term, 1.0)]))
            continue
        group = Group([(term, 1.0)])
        _add_typo_variants(plan, group, analysis.fold(part), term, lexicon, analysis)
        plan.groups.append(group)
        plan.marks.update(t for t, _ in group.variants)


def _add_typo_variants(
    plan: Plan, group: Group, word: str, term: str, lexicon: Lexicon, analysis: Analysis
) -> None:
    df = lexicon.df(term)
    if df > RARE_DF or not max_edits(word) or not word.isalpha():
        return
    vocabulary = lexicon.vocabulary()
    options = []
    for candidate, dist in vocabulary.near(word):
        cand_term = analysis.term(candidate)
        if cand_term and cand_term != term:
            options.append((dist, -lexicon.df(cand_term), candidate, cand_term))
    options = [o for o in options if -o[1] >= max(1, SUGGEST_RATIO * df)]
    options.sort()
    seen = {term}
    for _, _, _, cand_term in options:
        if cand_term not in seen and len(group.variants) <= MAX_VARIANTS:
            seen.add(cand_term)
            group.variants.append((cand_term, FUZZY_FACTOR))
    if options:
        plan.corrections[word] = options[0][2]


def _prefix(text: str, lexicon: Lexicon, analysis: Analysis) -> Group:
    folded = analysis.fold(text)
    prefixes = {folded}
    stemmed = analysis.term(folded)
    if stemmed and len(stemmed) >= 2:
        prefixes.add(stemmed)  # "company*" must reach the stem "compani"
    found: dict[str, int] = {}
    for prefix in prefixes:
        found.update(lexicon.expand_prefix(prefix))
    best = sorted(found, key=lambda t: (-found[t], t))[:MAX_PREFIX_TERMS]
    return Group([(t, 1.0) for t in best])

"""Compose rep-facing playbooks (talk tracks, scripts, objection handling) and slide decks.

Split from compose.py, which holds the customer-facing documents, to keep both modules
small. Decks carry the talk track in the speaker notes, which is where reps look for it.
"""

import random

from app.demo import content as c
from app.demo.compose import AssetLike, fill, pick
from app.demo.content_talk import SLIDE_NOTES
from app.demo.writers import Doc, Slide


def talk_track(a: AssetLike, rng: random.Random, option: str) -> Doc:
    objections = rng.sample(c.OBJECTIONS, 3)
    blocks = [
        ("h", "Opening (2 minutes)"), ("p", fill(SLIDE_NOTES["title"], a)),
        ("h", "Discovery (10 minutes)"), ("ul", tuple(c.DISCOVERY_QUESTIONS[a.persona])),
        ("p", fill(SLIDE_NOTES["problem"], a)),
        ("h", "Value (5 minutes)"), ("p", c.PRODUCTS[a.product]),
        ("ul", pick(rng, c.PROOF_POINTS, 3, a)),
        ("h", "Likely objections"),
    ]
    for objection, answer in objections:
        blocks.append(("p", f"{fill(objection, a)} {fill(answer, a)}"))
    blocks += [("h", "Close (3 minutes)"), ("p", fill(SLIDE_NOTES["next"], a))]
    return Doc(a.title, f"First-call talk track for the {a.persona}", tuple(blocks))


def discovery_script(a: AssetLike, rng: random.Random, option: str) -> Doc:
    agenda = ("Introductions and goals for the call", "How reporting works today",
              "Where it hurts and what it costs", "What good would look like",
              "Agree on a next step")
    related = [p for p in c.PERSONAS if p != a.persona]
    extra = rng.sample(related, 2)
    blocks = (
        ("p", option),
        ("h", "Agenda"), ("ul", agenda),
        ("h", f"Context: {a.industry}"),
        ("p", " ".join(fill(s, a) for s in c.INDUSTRY_CONTEXT[a.industry])),
        ("h", f"Questions for the {a.persona}"), ("ul", tuple(c.DISCOVERY_QUESTIONS[a.persona])),
        ("h", f"Questions for the {extra[0]} and {extra[1]}"),
        ("ul", tuple(c.DISCOVERY_QUESTIONS[extra[0]] + c.DISCOVERY_QUESTIONS[extra[1]])),
        ("h", "Listen for"), ("ul", tuple(c.PERSONA_PAINS[a.persona])),
        ("h", "Qualify before you leave"),
        ("ul", ("Is there a compelling event with a date?", "Who owns the budget?",
                "Which competitor or internal project are we up against?",
                "What does their security questionnaire process involve?")),
    )
    return Doc(a.title, f"Discovery call script, {a.industry}", blocks)


def objection_guide(a: AssetLike, rng: random.Random, option: str) -> Doc:
    blocks: list = [("p", option)]
    order = list(c.OBJECTIONS)
    rng.shuffle(order)
    for objection, answer in order:
        blocks += [("h", fill(objection, a)), ("p", fill(answer, a))]
    blocks += [("h", "Proof points to keep handy"), ("ul", pick(rng, c.PROOF_POINTS, 4, a))]
    return Doc(a.title, "Acknowledge, ask, answer, confirm", tuple(blocks))


def negotiation_playbook(a: AssetLike, rng: random.Random, option: str) -> Doc:
    gives = (("If they ask for", "We can give", "In exchange for"),
             ("A bigger discount", "Up to 15 percent", "A three-year term"),
             ("Net 60 payment terms", "Net 60", "Annual upfront invoicing"),
             ("Free pilot", "Pilot fee credited", "Signature within 30 days of pilot end"),
             ("Price lock", "5 percent renewal cap", "A public case study"))
    blocks = (
        ("p", option),
        ("h", "What procurement cares about"), ("ul", tuple(c.PERSONA_PAINS["Procurement"])),
        ("h", "Our standard terms"), ("ul", tuple(c.PROCUREMENT)),
        ("h", "Give and get"), ("table", gives),
        ("h", "Guardrails"),
        ("ul", ("Never discount without a give in return.", "Discounts above 15 percent need "
                "deal desk approval.", "Do not trade away the renewal cap in the first call.")),
        ("h", "Questions to ask"), ("ul", tuple(c.DISCOVERY_QUESTIONS["Procurement"])),
    )
    return Doc(a.title, "How to negotiate without giving margin away", blocks)


def _core_slides(a: AssetLike, rng: random.Random) -> list[Slide]:
    names = tuple(name for name, _ in c.FEATURES[a.product])
    return [
        Slide(a.title, (c.COMPANY, f"{a.product} for {a.industry}"), fill(SLIDE_NOTES["title"], a)),
        Slide("What we keep hearing", tuple(c.PERSONA_PAINS[a.persona]),
              fill(SLIDE_NOTES["problem"], a)),
        Slide(f"How {a.product} helps", names, fill(SLIDE_NOTES["solution"], a)),
        Slide("Proof from customers", pick(rng, c.PROOF_POINTS, 3, a),
              fill(SLIDE_NOTES["proof"], a)),
    ]


def _flavor_slides(a: AssetLike, rng: random.Random, flavor: str) -> list[Slide]:
    story = c.CASE_STUDIES[a.industry]
    results = tuple(f"{m}: {b} to {af}" for m, b, af in story["results"])
    slides = {
        "pitch": [Slide(f"Customer story: {story['customer']}", results,
                        fill(SLIDE_NOTES["case"], a))],
        "industry": [Slide(f"Built for {a.industry}", tuple(fill(s, a) for s in
                           c.INDUSTRY_CONTEXT[a.industry]), fill(SLIDE_NOTES["industry"], a)),
                     Slide(story["customer"], results, fill(SLIDE_NOTES["case"], a))],
        "roi": [Slide("Your inputs", ("Analysts on the close", "Cost per analyst hour",
                      "Close days today and target", "Tools and consulting retired"),
                      fill(SLIDE_NOTES["roi_inputs"], a)),
                Slide("Payback and ROI", ("Median payback: 7 months", "Pilot fee credited",
                      "Three-year TCO 30 to 45 percent lower"),
                      fill(SLIDE_NOTES["roi_results"], a)),
                Slide("Total cost of ownership", ("Licences", "Hardware refresh",
                      "Platform staff", "Services"), fill(SLIDE_NOTES["tco"], a))],
        "technical": [Slide("Reference architecture", ("Sources and connectors", "Edge nodes",
                            "Cloud warehouse", "Insights and alerts"),
                            fill(SLIDE_NOTES["architecture"], a)),
                      Slide("Security and governance", pick(rng, c.SECURITY, 4, a),
                            fill(SLIDE_NOTES["security"], a))],
        "ebr": [Slide("Results this year", results, fill(SLIDE_NOTES["results"], a)),
                Slide("Roadmap highlights", ("Lineage for every dashboard tile",
                      "Edge fleet health scores", "Forecast explanations in chat"),
                      fill(SLIDE_NOTES["roadmap"], a))],
    }
    return slides[flavor]


def deck(a: AssetLike, rng: random.Random, flavor: str) -> list[Slide]:
    closing = Slide("Next steps", (rng.choice(c.CTAS), "Agree on owners and dates",
                                   "Share the mutual action plan"), fill(SLIDE_NOTES["next"], a))
    return _core_slides(a, rng) + _flavor_slides(a, rng, flavor) + [closing]

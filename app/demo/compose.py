"""Compose documents from the sentence banks.

Each composer takes the asset metadata, a per-asset random generator and an option (a
competitor name, an email kind, ...) and returns a format-neutral `Doc`. The generator only
chooses and orders material, so every sentence a reader sees was written by a person.
"""

import random
from typing import Protocol

from app.demo import content as c
from app.demo.content_talk import EMAILS
from app.demo.writers import Block, Doc


class AssetLike(Protocol):
    """The metadata fields composers read; DemoAsset satisfies it."""

    title: str
    persona: str
    industry: str
    product: str


def fill(text: str, a: AssetLike, competitor: str = "Contoso Data") -> str:
    return text.format(company=c.COMPANY, product=a.product, persona=a.persona,
                       industry=a.industry, competitor=competitor)


def pick(rng: random.Random, bank: list[str], k: int, a: AssetLike) -> tuple[str, ...]:
    return tuple(fill(s, a) for s in rng.sample(bank, k))


def _closing(rng: random.Random, a: AssetLike) -> tuple[Block, ...]:
    return (("h", "Next step"), ("p", rng.choice(c.CTAS)), ("p", fill(c.BOILERPLATE, a)))


def datasheet(a: AssetLike, rng: random.Random, option: str) -> Doc:
    features = tuple(f"{name}: {text}" for name, text in c.FEATURES[a.product])
    blocks = (
        ("h", "Overview"),
        ("p", c.PRODUCTS[a.product] + " " + fill(c.INDUSTRY_CONTEXT[a.industry][0], a)),
        ("h", "Key capabilities"), ("ul", features),
        ("h", f"Built for the {a.persona}"), ("p", " ".join(c.PERSONA_PAINS[a.persona])
                                               + f" {a.product} was designed to fix that."),
        ("h", "Proof points"), ("ul", pick(rng, c.PROOF_POINTS, 3, a)),
        ("h", "Security and compliance"), ("p", " ".join(pick(rng, c.SECURITY, 3, a))),
    )
    return Doc(a.title, f"{a.product} datasheet for {a.industry} teams", blocks + _closing(rng, a))


def one_pager(a: AssetLike, rng: random.Random, option: str) -> Doc:
    names = rng.sample(c.FEATURES[a.product], 3)
    blocks = (
        ("p", option),
        ("h", "The challenge"), ("ul", tuple(c.PERSONA_PAINS[a.persona])),
        ("p", " ".join(fill(s, a) for s in c.INDUSTRY_CONTEXT[a.industry])),
        ("h", "The approach"), ("p", c.PRODUCTS[a.product]),
        ("ul", tuple(f"{n}: {t}" for n, t in names)),
        ("h", "What customers see"), ("ul", pick(rng, c.PROOF_POINTS, 3, a)),
    )
    return Doc(a.title, f"A one-page summary for the {a.persona}", blocks + _closing(rng, a))


def security_overview(a: AssetLike, rng: random.Random, option: str) -> Doc:
    govern = tuple(f"{n}: {t}" for n, t in c.FEATURES["Northwind Govern"])
    blocks = (
        ("p", option),
        ("h", "Certifications and controls"), ("ul", tuple(fill(s, a) for s in c.SECURITY)),
        ("h", f"Requirements in {a.industry}"),
        ("p", " ".join(fill(s, a) for s in c.INDUSTRY_CONTEXT[a.industry])),
        ("h", "Governance built in"), ("ul", govern),
        ("h", "How the security review works"),
        ("p", "Send us your security questionnaire or use our pre-filled SIG Lite and CAIQ "
              "answers. A security engineer joins a call with your team within a week, and "
              "most reviews complete before the commercial terms are final."),
        ("p", " ".join(fill(s, a) for s in rng.sample(c.PROCUREMENT, 2))),
    )
    return Doc(a.title, f"Security, privacy and compliance for {a.industry}",
               blocks + _closing(rng, a))


def security_qa(a: AssetLike, rng: random.Random, option: str) -> Doc:
    questions = ("Which certifications do you hold?", "How is data encrypted?",
                 "Can we manage our own keys?", "How do users sign in?",
                 "How often are you penetration tested?", "How fast can you answer a "
                 "questionnaire?", "Where is our data stored?", "Do you sign a DPA?")
    rows = (("Question", "Answer"),) + tuple(
        (q, fill(s, a)) for q, s in zip(questions, c.SECURITY, strict=True))
    blocks = (
        ("p", option),
        ("h", "Standard answers"), ("table", rows),
        ("h", "Answers specific to your industry"),
        ("p", " ".join(fill(s, a) for s in c.INDUSTRY_CONTEXT[a.industry])),
        ("h", "Supporting documents"),
        ("ul", ("SOC 2 Type II report (under NDA)", "ISO 27001 certificate",
                "Penetration test executive summary", "Data Processing Agreement",
                "Subprocessor list with hosting regions")),
    )
    return Doc(a.title, "Pre-filled answers for procurement and security reviews", blocks)


def implementation_guide(a: AssetLike, rng: random.Random, option: str) -> Doc:
    rows = (("Phase", "When", "What happens"),) + tuple(c.IMPLEMENTATION_PHASES)
    roles = ("Executive sponsor: owns success criteria and removes blockers",
             "Project lead: runs the weekly check-in and the issue log",
             "Data engineer: grants source access and validates loads",
             f"{c.COMPANY} solutions architect: designs the model and trains power users")
    blocks = (
        ("p", option),
        ("h", "Implementation timeline"), ("table", rows),
        ("p", "Most delays come from waiting on access, not from the build itself. Before "
              "kickoff, line up read-only credentials for each source system, a named owner "
              "for every metric you want certified, and two hours a week from a power user "
              "in each team that will rely on the dashboards."),
        ("h", "Roles and responsibilities"), ("ul", roles),
        ("h", "Start with a pilot"), ("p", " ".join(c.PILOT)),
        ("h", "What good looks like"), ("ul", pick(rng, c.PROOF_POINTS, 2, a)),
    )
    return Doc(a.title, f"From signature to go-live with {a.product}", blocks + _closing(rng, a))


def case_study(a: AssetLike, rng: random.Random, option: str) -> Doc:
    story = c.CASE_STUDIES[a.industry]
    product = story["product"]
    glance = (("Customer", story["customer"]), ("Industry", a.industry), ("Product", product))
    blocks = (
        ("h", "At a glance"), ("table", (("Field", "Detail"),) + glance),
        ("h", "The challenge"), ("p", story["challenge"]),
        ("h", "The solution"), ("p", story["solution"]),
        ("ul", tuple(f"{n}: {t}" for n, t in rng.sample(c.FEATURES[product], 2))),
        ("h", "Results"), ("table", (("Metric", "Before", "After"),) + tuple(story["results"])),
        ("p", f'"{story["quote"]}" - {story["quote_by"]}'),
        ("h", "Why it worked"), ("p", " ".join(fill(s, a) for s in c.INDUSTRY_CONTEXT[
            a.industry][1:]) + " " + " ".join(pick(rng, c.PROOF_POINTS, 2, a))),
    )
    return Doc(a.title, f"How {story['customer']} uses {product}", blocks + _closing(rng, a))


def battlecard(a: AssetLike, rng: random.Random, competitor: str) -> Doc:
    notes = c.COMPETITOR_NOTES[competitor]
    rows = (("Capability", c.COMPANY, competitor),) + tuple(notes["rows"])
    objection = next(o for o in c.OBJECTIONS if "{competitor}" in o[0])
    blocks = (
        ("h", "Positioning"), ("p", notes["summary"]),
        ("h", "Where they are strong"), ("ul", tuple(notes["strengths"])),
        ("h", "Where we win"), ("ul", tuple(notes["weaknesses"])),
        ("h", "Head to head"), ("table", rows),
        ("h", "Landmine questions"), ("ul", tuple(notes["landmines"])),
        ("h", "When they say: " + fill(objection[0], a, competitor)),
        ("p", fill(objection[1], a, competitor)),
        ("h", "Proof to use"), ("ul", pick(rng, c.PROOF_POINTS, 3, a)),
    )
    return Doc(a.title, f"Internal only: competing with {competitor}", blocks)


def mutual_action_plan(a: AssetLike, rng: random.Random, option: str) -> Doc:
    steps = (("Security review complete", "CIO", 1), ("Legal redlines on MSA and DPA",
             "Procurement", 2), ("Final pricing approved", "CFO", 3), ("Order form signed",
             "CFO", 4), ("Implementation kickoff", c.COMPANY, 5))
    rows = (("Step", "Owner", "Target week"),) + tuple((s, o, f"Week {w}") for s, o, w in steps)
    blocks = (
        ("p", option),
        ("h", "Plan"), ("table", rows),
        ("h", "Commercial terms"), ("ul", pick(rng, c.PROCUREMENT, 4, a)),
        ("h", "Risks we are watching"), ("ul", tuple(c.PERSONA_PAINS["Procurement"])),
    )
    return Doc(a.title, "Shared plan from evaluation to signature", blocks)


def proposal(a: AssetLike, rng: random.Random, option: str) -> Doc:
    phases = (("Phase", "When", "What happens"),) + tuple(c.IMPLEMENTATION_PHASES)
    blocks = (
        ("h", "Executive summary"), ("p", option + " " + c.PRODUCTS[a.product]),
        ("h", "Objectives we heard"), ("ul", tuple(c.PERSONA_PAINS[a.persona])),
        ("h", "Proposed solution"),
        ("ul", tuple(f"{n}: {t}" for n, t in c.FEATURES[a.product][:4])),
        ("h", "Implementation timeline"), ("table", phases),
        ("h", "Investment and terms"), ("ul", pick(rng, c.PROCUREMENT, 3, a)),
        ("h", "Expected outcomes"), ("ul", pick(rng, c.PROOF_POINTS, 3, a)),
    )
    return Doc(a.title, "Prepared for {{account_name}}", blocks + _closing(rng, a))


def pilot_plan(a: AssetLike, rng: random.Random, option: str) -> Doc:
    criteria = (("Criterion", "Target", "Measured by"),
                ("New source connected", "Within 5 days", "Row counts match source"),
                ("Pipeline failures", "Zero unrecovered", "Run history"),
                ("Dashboard refresh", "Under 15 minutes", "Freshness score"),
                ("Analyst time saved", "At least 20 percent", "Time study"))
    blocks = (
        ("p", option),
        ("h", "How the pilot works"), ("ul", tuple(c.PILOT)),
        ("h", "Success criteria"), ("table", criteria),
        ("h", "Capabilities in scope"),
        ("ul", tuple(f"{n}: {t}" for n, t in rng.sample(c.FEATURES[a.product], 3))),
        ("h", "Pains this pilot addresses"), ("ul", tuple(c.PERSONA_PAINS[a.persona])),
    )
    return Doc(a.title, f"30-day {a.product} pilot", blocks + _closing(rng, a))


def email(a: AssetLike, rng: random.Random, kind: str) -> Doc:
    subject, preheader, paragraphs, points = EMAILS[kind]
    merge = {"first": "{{first_name}}", "account": "{{account_name}}"}
    text = [p.format(company=c.COMPANY, product=a.product, industry=a.industry, **merge)
            for p in paragraphs]
    signoff = rng.choice(("Best regards,", "Thanks,", "All the best,"))
    blocks = (("p", text[0]), *(("p", p) for p in text[1:]), ("ul", tuple(points)),
              ("p", rng.choice(c.CTAS)), ("p", f"{signoff} {{{{sender_name}}}}, {c.COMPANY}"))
    return Doc(subject.format(product=a.product, **merge), preheader, tuple(blocks))

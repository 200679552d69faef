"""Generate the demo content library: real files on disk plus their metadata.

The catalog below fixes what exists (filenames, titles, tags, status); the seed only picks
and orders sentences, chart values and review dates. Each asset gets its own generator
seeded from (seed, filename), so adding an asset never changes the others.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from app.demo import compose, playbooks
from app.demo.content_talk import EMAILS
from app.demo.images import IMAGE_WRITERS
from app.demo.sheets import SHEET_WRITERS
from app.demo.writers import write_doc, write_pptx

CLOUD, EDGE = "Northwind Cloud", "Northwind Edge"
INSIGHTS, GOVERN = "Northwind Insights", "Northwind Govern"
FIN, HEALTH, RETAIL = "Financial Services", "Healthcare", "Retail"
MFG, PUBLIC = "Manufacturing", "Public Sector"


@dataclass(frozen=True)
class DemoAsset:
    filename: str
    title: str
    description: str
    stage: str
    persona: str
    industry: str
    product: str
    tags: tuple[str, ...]
    status: str  # "published" mostly, a few "draft", one "archived"
    review_in_days: int  # negative means the review date has passed (stale content)


@dataclass(frozen=True)
class _Entry:
    filename: str
    title: str
    kind: str
    option: str  # composer-specific: lead paragraph, competitor, email kind or deck flavor
    stage: str
    persona: str
    industry: str
    product: str
    tags: str  # space-separated extra tags; the kind tag is added automatically
    status: str = "published"
    stale: bool = False


_E = _Entry
CATALOG: tuple[_Entry, ...] = (
    _E("northwind-cloud-datasheet.pdf", "Northwind Cloud Datasheet", "datasheet", "",
       "evaluation", "Data Engineer", FIN, CLOUD, "connectors data-residency"),
    _E("northwind-edge-datasheet.pdf", "Northwind Edge Datasheet", "datasheet", "",
       "evaluation", "Head of Operations", MFG, EDGE, "iot oee"),
    _E("northwind-insights-datasheet.pdf", "Northwind Insights Datasheet", "datasheet", "",
       "discovery", "VP Sales", RETAIL, INSIGHTS, "forecasting dashboards"),
    _E("northwind-govern-datasheet.pdf", "Northwind Govern Datasheet", "datasheet", "",
       "evaluation", "CIO", HEALTH, GOVERN, "governance lineage hipaa"),
    _E("platform-overview-one-pager.pdf", "Northwind Platform Overview", "one_pager",
       "Northwind Analytics replaces a patchwork of warehouses, dashboards and spreadsheets "
       "with one governed platform that finance, sales and operations can share.",
       "awareness", "CIO", FIN, CLOUD, "overview modernization"),
    _E("month-end-close-solution-brief.pdf", "Faster Month-End Close for Finance Teams",
       "one_pager", "Finance leaders tell us the close is where good analysts go to burn out. "
       "This brief shows how teams cut month-end close from 9 days to 4 without new headcount.",
       "discovery", "CFO", FIN, CLOUD, "month-end-close reconciliation"),
    _E("security-and-compliance-overview.pdf", "Security and Compliance Overview",
       "security_overview", "This overview is written for security architects and risk teams "
       "who need to approve a cloud data vendor quickly and with confidence.",
       "evaluation", "CIO", FIN, GOVERN, "security soc2 encryption", stale=True),
    _E("hipaa-compliance-brief.pdf", "HIPAA Compliance Brief", "security_overview",
       "Health systems must share data across clinical and business teams without exposing "
       "protected health information. This brief explains how we sign a BAA and enforce it.",
       "evaluation", "CIO", HEALTH, GOVERN, "hipaa baa phi"),
    _E("implementation-timeline-guide.pdf", "Implementation Timeline Guide",
       "implementation_guide", "Buyers ask how long it really takes. A first use case goes "
       "live in about 8 weeks; this guide shows each phase and who does what.",
       "proposal", "Head of Operations", MFG, CLOUD, "implementation onboarding"),
    _E("case-study-lakeshore-regional-health.pdf", "Case Study: Lakeshore Regional Health",
       "case_study", "", "evaluation", "CIO", HEALTH, GOVERN, "customer-story hipaa"),
    _E("case-study-juniper-and-vale.pdf", "Case Study: Juniper & Vale", "case_study", "",
       "evaluation", "Head of Operations", RETAIL, INSIGHTS, "customer-story markdowns"),
    _E("case-study-state-transportation.pdf", "Case Study: State Department of Transportation",
       "case_study", "", "evaluation", "CIO", PUBLIC, GOVERN, "customer-story data-residency",
       status="draft"),
    _E("case-study-harborview-bank.docx", "Case Study: Harborview Bank", "case_study", "",
       "evaluation", "CFO", FIN, CLOUD, "customer-story month-end-close sox"),
    _E("case-study-alder-packaging.docx", "Case Study: Alder Packaging", "case_study", "",
       "evaluation", "Head of Operations", MFG, EDGE, "customer-story oee"),
    _E("battlecard-contoso-data.docx", "Battlecard: Northwind vs Contoso Data", "battlecard",
       "Contoso Data", "evaluation", "CIO", FIN, CLOUD, "competitive contoso-data", stale=True),
    _E("battlecard-fabrikam-bi.docx", "Battlecard: Northwind vs Fabrikam BI", "battlecard",
       "Fabrikam BI", "evaluation", "VP Sales", RETAIL, INSIGHTS, "competitive fabrikam-bi"),
    _E("security-questionnaire-answers.docx", "Security Questionnaire Answers", "security_qa",
       "Use these answers to pre-fill a customer's security questionnaire. Route anything not "
       "covered here to the security team through the deal desk.",
       "evaluation", "Procurement", HEALTH, GOVERN, "security questionnaire sig-lite"),
    _E("mutual-action-plan-template.docx", "Mutual Action Plan Template", "mutual_action_plan",
       "A mutual action plan keeps both sides honest about what must happen before signature. "
       "Fill in real dates with the buyer and review it on every call.",
       "closing", "Procurement", FIN, CLOUD, "map deal-management"),
    _E("proposal-template-northwind-cloud.docx", "Proposal Template: Northwind Cloud",
       "proposal", "This proposal sets out how {{account_name}} can give every team one "
       "trusted version of its numbers within one quarter.",
       "proposal", "CFO", FIN, CLOUD, "proposal template", status="draft"),
    _E("pilot-success-plan.docx", "Pilot Success Plan", "pilot_plan",
       "This plan defines a 30-day pilot that proves value on real data before any long-term "
       "commitment, with criteria both sponsors sign before kickoff.",
       "evaluation", "Data Engineer", RETAIL, CLOUD, "pilot poc"),
    _E("corporate-pitch-deck.pptx", "Northwind Corporate Pitch Deck", "deck", "pitch",
       "awareness", "VP Sales", RETAIL, INSIGHTS, "pitch first-meeting"),
    _E("cfo-roi-walkthrough.pptx", "ROI Walkthrough for the CFO", "deck", "roi",
       "proposal", "CFO", FIN, CLOUD, "roi tco business-case"),
    _E("healthcare-pitch-deck.pptx", "Healthcare Pitch Deck", "deck", "industry",
       "discovery", "CIO", HEALTH, GOVERN, "pitch hipaa"),
    _E("manufacturing-edge-deck.pptx", "Smart Factory Deck: Northwind Edge", "deck", "industry",
       "discovery", "Head of Operations", MFG, EDGE, "pitch oee iot"),
    _E("technical-deep-dive.pptx", "Technical Deep Dive", "deck", "technical",
       "evaluation", "Data Engineer", FIN, CLOUD, "architecture security"),
    _E("executive-business-review.pptx", "Executive Business Review Template", "deck", "ebr",
       "closing", "CIO", RETAIL, INSIGHTS, "ebr renewal expansion"),
    _E("roi-calculator.xlsx", "ROI Calculator", "roi_calculator", "",
       "proposal", "CFO", FIN, CLOUD, "roi payback business-case"),
    _E("price-list-2026.xlsx", "Price List 2026", "pricing_sheet", "",
       "closing", "Procurement", MFG, CLOUD, "pricing discounts"),
    _E("tco-comparison-contoso.xlsx", "Three-Year TCO vs Contoso Data", "tco_sheet", "",
       "evaluation", "CFO", MFG, CLOUD, "tco competitive contoso-data"),
    _E("email-cold-outreach-cfo.html", "Cold Outreach Email: CFO", "email", "cold",
       "awareness", "CFO", FIN, CLOUD, "prospecting month-end-close"),
    _E("email-post-demo-follow-up.html", "Post-Demo Follow-Up Email", "email", "follow_up",
       "evaluation", "Data Engineer", HEALTH, CLOUD, "follow-up pilot"),
    _E("email-proposal-sent.html", "Proposal Cover Email", "email", "proposal_sent",
       "proposal", "CFO", MFG, CLOUD, "proposal follow-up"),
    _E("email-retail-summit-invite.html", "Retail Data Summit Invitation", "email",
       "event_invite", "awareness", "Head of Operations", RETAIL, INSIGHTS, "event 2025",
       status="archived"),
    _E("email-procurement-breakup.md", "Break-Up Email: Procurement", "email", "breakup",
       "closing", "Procurement", PUBLIC, CLOUD, "prospecting marketplace", status="draft"),
    _E("email-discovery-recap.md", "Discovery Recap Email", "email", "recap",
       "discovery", "Head of Operations", MFG, EDGE, "follow-up recap"),
    _E("first-call-talk-track-cfo.md", "First Call Talk Track: CFO", "talk_track", "",
       "discovery", "CFO", FIN, CLOUD, "talk-track first-meeting"),
    _E("discovery-call-script-healthcare.md", "Discovery Call Script: Healthcare",
       "discovery_script", "Use this script for the first 30-minute call with a hospital or "
       "health system. Let the buyer talk for at least two thirds of the time.",
       "discovery", "CIO", HEALTH, GOVERN, "discovery script qualification"),
    _E("objection-handling-guide.md", "Objection Handling Guide", "objection_guide",
       "Every objection is a question in disguise. Acknowledge it, ask what is behind it, "
       "answer briefly and confirm the answer landed before moving on.",
       "evaluation", "VP Sales", RETAIL, INSIGHTS, "objections enablement", stale=True),
    _E("procurement-negotiation-playbook.md", "Procurement Negotiation Playbook",
       "negotiation_playbook", "Procurement's job is to reduce risk and cost; ours is to make "
       "the deal easy to approve while protecting margin.",
       "closing", "Procurement", FIN, CLOUD, "negotiation pricing"),
    _E("platform-architecture-diagram.png", "Platform Architecture Diagram", "architecture",
       "", "evaluation", "Data Engineer", MFG, CLOUD, "architecture diagram"),
    _E("insights-pipeline-dashboard.png", "Pipeline Dashboard", "dashboard", "",
       "discovery", "VP Sales", RETAIL, INSIGHTS, "screenshot dashboards"),
    _E("edge-data-flow-diagram.png", "Edge Data Flow", "edge_flow", "",
       "evaluation", "Head of Operations", MFG, EDGE, "diagram iot"),
    _E("brand-banner-2026.jpg", "Trust Your Numbers", "banner", "",
       "awareness", "CFO", RETAIL, CLOUD, "brand banner"),
)

_DESCRIPTIONS = {
    "datasheet": "Datasheet covering {product} capabilities, security controls and proof "
    "points, written for {persona} buyers in {industry}.",
    "one_pager": "One-page summary of the problem, the {product} approach and customer "
    "results, aimed at the {persona}.",
    "security_overview": "Certifications, encryption, data residency and the security review "
    "process, explained for {industry} buyers.",
    "security_qa": "Pre-filled answers to common security questionnaire items, with the "
    "supporting documents procurement usually asks for.",
    "implementation_guide": "Phase-by-phase implementation timeline, roles and pilot approach "
    "for a first {product} use case.",
    "case_study": "Customer story with a before-and-after results table: how a {industry} "
    "organization uses Northwind.",
    "battlecard": "Internal battlecard against {option}: positioning, landmine questions and "
    "a head-to-head comparison table.",
    "mutual_action_plan": "Mutual action plan template listing steps, owners and target weeks "
    "from evaluation to signature.",
    "proposal": "Editable proposal with executive summary, implementation timeline, terms and "
    "expected outcomes for {product}.",
    "pilot_plan": "30-day pilot success plan with measurable criteria and scope for {product}.",
    "deck": "Slide deck with the talk track in the speaker notes, for {persona} meetings in "
    "{industry}.",
    "roi_calculator": "Editable ROI calculator: enter the prospect's numbers to get annual "
    "benefit, payback period and three-year ROI.",
    "pricing_sheet": "List prices per product and edition, with discount and net price "
    "formulas and standard commercial terms.",
    "tco_sheet": "Three-year total cost of ownership comparison against a Contoso Data "
    "appliance, with editable cost lines.",
    "email": "Email template with {{{{first_name}}}} and {{{{account_name}}}} merge fields. "
    "Subject: {subject}",
    "talk_track": "Timed talk track for a first call with the {persona}: discovery questions, "
    "value points and likely objections.",
    "discovery_script": "Discovery call script for {industry} accounts: agenda, questions by "
    "persona and a qualification checklist.",
    "objection_guide": "How to answer the most common objections, from price and timing to "
    "security review and incumbent vendors.",
    "negotiation_playbook": "Procurement negotiation playbook: standard terms, a give-and-get "
    "table and discount guardrails.",
    "architecture": "Reference architecture diagram: source systems through Edge and Cloud to "
    "Insights, with Govern across the platform.",
    "dashboard": "Screenshot of a Northwind Insights pipeline dashboard with KPI tiles, "
    "bookings and forecast charts.",
    "edge_flow": "Diagram of plant data flowing from line PLCs through an Edge node to "
    "Northwind Cloud, including offline buffering.",
    "banner": "Photo-style brand banner for event pages and email headers.",
}

DOC_COMPOSERS = {
    "datasheet": compose.datasheet, "one_pager": compose.one_pager,
    "security_overview": compose.security_overview, "security_qa": compose.security_qa,
    "implementation_guide": compose.implementation_guide, "case_study": compose.case_study,
    "battlecard": compose.battlecard, "mutual_action_plan": compose.mutual_action_plan,
    "proposal": compose.proposal, "pilot_plan": compose.pilot_plan, "email": compose.email,
    "talk_track": playbooks.talk_track, "discovery_script": playbooks.discovery_script,
    "objection_guide": playbooks.objection_guide,
    "negotiation_playbook": playbooks.negotiation_playbook,
}


def _describe(entry: _Entry) -> str:
    subject = EMAILS[entry.option][0] if entry.kind == "email" else ""
    subject = subject.format(account="{{account_name}}", product=entry.product)
    return _DESCRIPTIONS[entry.kind].format(
        product=entry.product, persona=entry.persona, industry=entry.industry,
        option=entry.option, subject=subject)


def _metadata(entry: _Entry, rng: random.Random) -> DemoAsset:
    # Stale assets sit a few days to two months past review; the rest are due within 8 months.
    days = -rng.randint(3, 60) if entry.stale else rng.randint(14, 240)
    tags = (entry.kind.replace("_", "-"), *entry.tags.split())
    return DemoAsset(entry.filename, entry.title, _describe(entry), entry.stage, entry.persona,
                     entry.industry, entry.product, tags, entry.status, days)


def _render(entry: _Entry, asset: DemoAsset, rng: random.Random, path: Path) -> None:
    if entry.kind in SHEET_WRITERS:
        SHEET_WRITERS[entry.kind](asset.title, path, rng)
    elif entry.kind in IMAGE_WRITERS:
        IMAGE_WRITERS[entry.kind](asset.title, path, rng)
    elif entry.kind == "deck":
        write_pptx(asset.title, playbooks.deck(asset, rng, entry.option), path)
    else:
        write_doc(DOC_COMPOSERS[entry.kind](asset, rng, entry.option), path)


def generate_demo_library(out_dir: Path, seed: int = 2026) -> list[DemoAsset]:
    """Write every catalog asset into out_dir and return their metadata, in catalog order.

    The same seed gives the same metadata and the same file bytes; a different seed changes
    review dates, sentence choices and chart values but not filenames or titles.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    assets = []
    for entry in CATALOG:
        # A string seed is hashed with SHA-512 by random.seed, so it is stable across runs.
        rng = random.Random(f"{seed}:{entry.filename}")  # noqa: S311 - demo data, not crypto
        asset = _metadata(entry, rng)
        _render(entry, asset, rng, out_dir / entry.filename)
        assets.append(asset)
    return assets

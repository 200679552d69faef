"""Text material for the demo library: sentence banks and per-topic paragraphs.

Everything here is plain ASCII on purpose: fpdf2 core fonts only cover latin-1, and keeping
one character set everywhere means the same sentence renders identically in every format.
Sentences may contain {company}, {product}, {persona}, {industry} and {competitor}
placeholders so one bank can serve many assets while still reading naturally.
"""

COMPANY = "Northwind Analytics"
STAGES = ("awareness", "discovery", "evaluation", "proposal", "closing")
PERSONAS = ("CFO", "CIO", "VP Sales", "Data Engineer", "Head of Operations", "Procurement")
INDUSTRIES = ("Healthcare", "Financial Services", "Retail", "Manufacturing", "Public Sector")
COMPETITORS = ("Contoso Data", "Fabrikam BI")

PRODUCTS = {
    "Northwind Cloud": (
        "Northwind Cloud is a fully managed data platform that brings finance, sales and "
        "operations data into one governed warehouse, so every team reports from the same "
        "numbers without waiting on a nightly batch job."
    ),
    "Northwind Edge": (
        "Northwind Edge collects machine, sensor and point-of-sale data at the plant, branch "
        "or store, filters it locally and syncs it to the cloud even over unreliable links."
    ),
    "Northwind Insights": (
        "Northwind Insights turns governed data into dashboards, forecasts and alerts that "
        "business users can build themselves, with AI-assisted explanations of every change."
    ),
    "Northwind Govern": (
        "Northwind Govern adds lineage, access policies, masking and audit trails across the "
        "platform, so compliance teams can answer an auditor in minutes instead of weeks."
    ),
}

FEATURES = {
    "Northwind Cloud": [
        ("Prebuilt connectors", "More than 180 connectors for ERP, CRM, billing and HR systems "
         "load data continuously, with schema changes handled automatically."),
        ("Elastic compute", "Queries scale up for month-end and back down overnight, so you "
         "pay for the work you run rather than for idle servers."),
        ("Finance data model", "A ready-made model for the general ledger, accounts payable and "
         "revenue lets finance reconcile sub-ledgers without custom SQL."),
        ("Data residency", "Choose a US, EU or Canadian region and your data, backups and logs "
         "stay there, which keeps regulators and works councils comfortable."),
        ("Open formats", "Tables are stored in open Parquet and Iceberg formats, so there is "
         "no lock-in and your data engineers can use the tools they already know."),
    ],
    "Northwind Edge": [
        ("Offline buffering", "Each Edge node stores up to 30 days of readings locally and "
         "forwards them when the network returns, so no shift data is ever lost."),
        ("Protocol support", "OPC UA, MQTT, Modbus and common POS feeds are supported out of "
         "the box, which removes months of custom integration work."),
        ("Local rules", "Operators define thresholds and anomaly rules that run on the node and "
         "raise alerts on the line within seconds rather than after a batch upload."),
        ("Fleet management", "Hundreds of nodes are patched, monitored and configured from one "
         "console, with signed updates and staged rollouts."),
        ("Low footprint", "The agent runs on a small industrial PC or an existing store server "
         "and uses less than two gigabytes of memory."),
    ],
    "Northwind Insights": [
        ("Self-service dashboards", "Business users drag governed metrics onto a canvas and "
         "publish a dashboard without filing a ticket with IT."),
        ("Forecasting", "Built-in models forecast revenue, demand and cash with confidence "
         "ranges, and show which drivers moved the number."),
        ("Plain-language questions", "Reps and managers type a question such as 'which "
         "accounts in the West slipped this quarter' and get a chart with an explanation."),
        ("Alerts and digests", "Scheduled digests and threshold alerts land in email or chat, so "
         "leaders see pipeline risk before the weekly forecast call."),
        ("Certified metrics", "Metric definitions are written once and certified, so win rate "
         "and gross margin mean the same thing in every report."),
    ],
    "Northwind Govern": [
        ("Column-level lineage", "Trace any number on a dashboard back to the source system "
         "and transformation that produced it."),
        ("Policy-based access", "Row and column policies follow the data, so a regional "
         "manager only sees their region and patient identifiers stay masked."),
        ("Audit trail", "Every query, export and permission change is logged and retained for "
         "seven years to satisfy SOX and HIPAA audit requirements."),
        ("Data catalog", "A searchable catalog lists every dataset with an owner, a description "
         "and a freshness score."),
        ("Privacy workflows", "Subject access and deletion requests under GDPR and CCPA are "
         "tracked end to end with evidence for the privacy office."),
    ],
}

PERSONA_PAINS = {
    "CFO": [
        "Month-end close drags on because analysts reconcile spreadsheets from five systems.",
        "The board asks for a cash forecast the team cannot defend line by line.",
        "Every new report request turns into a consulting invoice or a new headcount request.",
    ],
    "CIO": [
        "Shadow data marts multiply faster than the platform team can secure them.",
        "Legacy on-premises warehouses eat budget that should fund modernization.",
        "Each new vendor adds another security questionnaire and another integration to run.",
    ],
    "VP Sales": [
        "Forecast calls turn into debates about whose spreadsheet is right.",
        "Reps spend Friday afternoons updating the CRM instead of selling.",
        "Nobody can say which deals slipped and why until the quarter is already lost.",
    ],
    "Data Engineer": [
        "Brittle pipelines break every time a source system adds a column.",
        "On-call weekends are spent rerunning failed batch jobs by hand.",
        "Business teams wait weeks for new datasets because every change needs custom code.",
    ],
    "Head of Operations": [
        "Unplanned downtime is discovered at shift change, hours after it started.",
        "Plant and store data live in isolated systems that do not talk to each other.",
        "Inventory decisions rely on reports that are already a week old.",
    ],
    "Procurement": [
        "Vendor contracts hide usage fees that only appear after renewal.",
        "Security and legal reviews stall purchases for months.",
        "Overlapping tools across departments mean paying twice for the same capability.",
    ],
}

INDUSTRY_CONTEXT = {
    "Healthcare": [
        "Hospitals must protect patient health information under HIPAA while still sharing "
        "data between clinical, finance and supply chain teams.",
        "{company} signs a Business Associate Agreement and masks protected health "
        "information by default, so analysts never see more than they need.",
        "Health systems use the platform to track bed occupancy, staffing costs and claim "
        "denials in one view.",
    ],
    "Financial Services": [
        "Banks and insurers answer to SOX, regulators and internal audit at the same time.",
        "Column-level lineage shows examiners exactly how a risk figure was calculated.",
        "Lenders use the platform to shorten month-end close and monitor credit exposure daily.",
    ],
    "Retail": [
        "Retailers juggle point-of-sale, e-commerce and loyalty data that rarely agree.",
        "Store-level demand forecasts cut markdowns and stockouts during seasonal peaks.",
        "Merchandising teams see sell-through by store and channel every morning.",
    ],
    "Manufacturing": [
        "Manufacturers need line data and ERP data together to understand true cost per unit.",
        "Edge nodes capture scrap, downtime and overall equipment effectiveness in real time.",
        "Plant managers compare shifts and sites without waiting for a monthly report.",
    ],
    "Public Sector": [
        "Agencies must keep citizen data in-country and prove it during every audit.",
        "Data residency controls and a dedicated government region satisfy procurement rules.",
        "Program managers publish open-data dashboards while sensitive fields stay masked.",
    ],
}

PROOF_POINTS = [
    "A regional bank cut month-end close from 9 days to 4 after moving reconciliation to "
    "{company}.",
    "A 14-hospital health system reduced claim denials by 18 percent in the first two quarters.",
    "A specialty retailer lowered markdown spend by 11 percent with store-level forecasts.",
    "A packaging manufacturer raised overall equipment effectiveness from 61 to 74 percent.",
    "Customers report a median payback period of 7 months on their first project.",
    "Data engineering teams spend 40 percent less time maintaining pipelines after migration.",
    "Forecast accuracy improved from 78 to 93 percent for a software company's sales team.",
    "A state transportation agency passed its data residency audit with zero findings.",
    "Average implementation time for a first use case is 8 weeks, including security review.",
    "Total cost of ownership is typically 30 to 45 percent lower than a self-managed warehouse.",
    "Over 600 companies across 22 countries run production workloads on {company}.",
    "Customers rate {company} support 4.8 out of 5, with a median first response of 9 minutes.",
]

SECURITY = [
    "{company} holds a SOC 2 Type II report and ISO 27001 certification, both renewed yearly.",
    "All data is encrypted with AES-256 at rest and TLS 1.2 or higher in transit.",
    "Customers can bring their own encryption keys and revoke them at any time.",
    "Single sign-on via SAML and SCIM provisioning are included in every edition.",
    "An independent firm runs a penetration test twice a year; summaries are shared under NDA.",
    "We answer the standard SIG Lite and CAIQ security questionnaire within five business days.",
    "Data residency is enforced per workspace, with regions in the US, EU, Canada and Australia.",
    "A Data Processing Agreement with standard contractual clauses is available for review.",
]

IMPLEMENTATION_PHASES = [
    ("Kickoff and access", "Week 1", "Agree on success criteria, named owners and the first "
     "use case, then grant read-only access to source systems."),
    ("Connect and model", "Weeks 2-4", "Load the priority sources, map them to the standard "
     "data model and validate row counts with the customer's analysts."),
    ("Build and certify", "Weeks 5-6", "Publish the first dashboards, certify the core metrics "
     "and train the power users who will own them."),
    ("Rollout", "Weeks 7-8", "Open access to the wider team, switch off the old reports and "
     "hold a review with the executive sponsor."),
]

PILOT = [
    "A pilot runs for 30 days on one use case with real production data, not a sandbox.",
    "Success criteria are written down before kickoff and signed by both sponsors.",
    "A named solutions engineer joins a weekly check-in and answers questions in a shared channel.",
    "If the pilot meets its criteria, the pilot fee is credited against the first-year order.",
]

PROCUREMENT = [
    "Our Master Subscription Agreement is short, and most legal reviews finish in two weeks.",
    "Pricing is published per platform credit, so there are no hidden usage fees at renewal.",
    "Standard payment terms are net 45, with annual or quarterly invoicing.",
    "Multi-year agreements include a price cap of 5 percent per year on renewal.",
    "New products can be co-termed with the existing contract to keep one renewal date.",
    "We are listed on major cloud marketplaces, so spend can count against existing commits.",
]

OBJECTIONS = [
    ("We already have a data warehouse.",
     "Most customers keep their warehouse at first and use {company} for the workloads it "
     "struggles with. Over time the lower total cost of ownership makes the case for itself."),
    ("It is too expensive.",
     "Compare the subscription to the analyst hours and consulting spend it replaces. The ROI "
     "calculator usually shows payback within 7 months, and the pilot fee is credited back."),
    ("Our security team will never approve a cloud vendor.",
     "We share the SOC 2 Type II report, the penetration test summary and a pre-filled "
     "security questionnaire on day one, and we support customer-managed keys."),
    ("We do not have the engineering capacity for a migration.",
     "The first use case goes live in about 8 weeks with our team doing the heavy lifting, "
     "and prebuilt connectors remove most custom pipeline work."),
    ("{competitor} is already in the building.",
     "Ask how long their last dashboard change took and who paid for it. Customers who switch "
     "from {competitor} usually cite speed of change and predictable pricing."),
    ("Now is not the right time.",
     "Map the cost of waiting: every quarter on the current process costs the close team about "
     "300 analyst hours. A small pilot keeps momentum without a big commitment."),
    ("We need to run an RFP.",
     "Happy to support it. We can share a standard RFP response library and suggest "
     "evaluation criteria that reflect what matters to your business users."),
]

DISCOVERY_QUESTIONS = {
    "CFO": ["How many days does month-end close take today, and where does the time go?",
            "How confident are you in the cash forecast you present to the board?",
            "What would you do with the analyst hours you got back?"],
    "CIO": ["How many reporting tools are in use across the business today?",
            "What does your security review process look like for a new data vendor?",
            "Which legacy systems are you trying to retire in the next 18 months?"],
    "VP Sales": ["How do you build the forecast today, and who owns the numbers?",
                 "When did you last lose a deal you thought was committed, and why?",
                 "How much time do reps spend on reporting each week?"],
    "Data Engineer": ["How many pipelines do you maintain, and how often do they break?",
                      "What does the on-call rotation look like for data incidents?",
                      "Which formats and tools would you refuse to give up?"],
    "Head of Operations": ["How quickly do you learn about unplanned downtime today?",
                           "Which sites or stores have the least reliable connectivity?",
                           "What decision would you make differently with same-day data?"],
    "Procurement": ["What does your standard vendor onboarding process involve?",
                    "Are there existing cloud commits we could help you draw down?",
                    "Who signs off on security and legal review, and in what order?"],
}

CTAS = [
    "Book a 30-minute working session and we will map your first use case together.",
    "Ask your account team for the ROI calculator pre-filled with your own numbers.",
    "Start a 30-day pilot on real data with success criteria agreed up front.",
    "Request the security package, including the SOC 2 Type II report, under NDA.",
]

BOILERPLATE = (
    "About {company}: {company} helps finance, operations and sales teams trust their numbers. "
    "The platform combines a managed cloud warehouse, edge data collection, self-service "
    "analytics and governance in one subscription. Founded in 2014, the company serves more "
    "than 600 customers from offices in Chicago, Dublin and Toronto."
)

CASE_STUDIES = {
    "Healthcare": {
        "customer": "Lakeshore Regional Health", "product": "Northwind Govern",
        "challenge": "Lakeshore runs 14 hospitals and 60 clinics. Finance, supply chain and "
        "clinical quality each kept their own copy of patient encounter data, and every HIPAA "
        "audit meant weeks of manual evidence gathering.",
        "solution": "The team consolidated encounter, claims and supply data on Northwind Cloud "
        "and used Northwind Govern to mask protected health information by role. Auditors now "
        "receive lineage reports straight from the catalog.",
        "results": [("Claim denial rate", "12.4%", "10.2%"), ("HIPAA audit prep", "6 weeks",
                     "4 days"), ("Reports maintained by IT", "310", "85")],
        "quote": "For the first time our auditors asked fewer questions than the year before.",
        "quote_by": "Chief Compliance Officer, Lakeshore Regional Health",
    },
    "Financial Services": {
        "customer": "Harborview Bank", "product": "Northwind Cloud",
        "challenge": "Harborview closed its books in 9 days. Analysts exported trial balances "
        "from three general ledgers into spreadsheets and reconciled intercompany entries by "
        "hand, which left little time for analysis before the board pack was due.",
        "solution": "Northwind Cloud loads all three ledgers continuously into the finance data "
        "model. Reconciliation rules flag breaks daily, so the close team fixes issues during "
        "the month instead of at the end of it.",
        "results": [("Month-end close", "9 days", "4 days"), ("Manual journal entries", "1,450",
                     "520"), ("SOX control failures", "7", "1")],
        "quote": "We moved from chasing numbers to explaining them.",
        "quote_by": "CFO, Harborview Bank",
    },
    "Retail": {
        "customer": "Juniper & Vale", "product": "Northwind Insights",
        "challenge": "Juniper & Vale runs 220 stores and a fast-growing online shop. Buyers "
        "planned seasonal stock from last year's sales, and regional managers learned about "
        "stockouts from customer complaints.",
        "solution": "Northwind Edge streams point-of-sale data from every store, and Northwind "
        "Insights produces a daily demand forecast per store and category with alerts when "
        "sell-through drifts from plan.",
        "results": [("Markdown spend", "14.1% of sales", "12.5% of sales"), ("Stockout rate",
                     "8.0%", "4.6%"), ("Forecast accuracy", "71%", "89%")],
        "quote": "Our buyers finally trust the forecast enough to act on it.",
        "quote_by": "VP Merchandising, Juniper & Vale",
    },
    "Manufacturing": {
        "customer": "Alder Packaging", "product": "Northwind Edge",
        "challenge": "Alder runs 9 plants on three generations of equipment. Downtime was "
        "logged on paper and typed into the ERP a week later, so nobody knew the true cost per "
        "unit or which line needed investment.",
        "solution": "Northwind Edge nodes on every line collect machine states over OPC UA and "
        "buffer them through network outages. Plant managers see overall equipment "
        "effectiveness by shift on a shared dashboard.",
        "results": [("Overall equipment effectiveness", "61%", "74%"), ("Unplanned downtime",
                     "11.2 h/week", "6.5 h/week"), ("Scrap rate", "4.3%", "2.9%")],
        "quote": "Every shift lead now starts the day looking at the same numbers.",
        "quote_by": "Head of Operations, Alder Packaging",
    },
    "Public Sector": {
        "customer": "State Department of Transportation", "product": "Northwind Govern",
        "challenge": "The department manages road, transit and permit data across 40 offices. "
        "Procurement rules required in-country hosting, and earlier vendors could not prove "
        "where backups were stored.",
        "solution": "The agency deployed Northwind Cloud in the dedicated government region "
        "with Northwind Govern enforcing data residency and masking. Public dashboards are "
        "published from the same certified metrics as internal reports.",
        "results": [("Data residency audit findings", "5", "0"), ("Time to publish open data",
                     "3 weeks", "2 days"), ("Reporting tools in use", "11", "3")],
        "quote": "The residency controls made our procurement review straightforward.",
        "quote_by": "Chief Data Officer, State Department of Transportation",
    },
}

COMPETITOR_NOTES = {
    "Contoso Data": {
        "summary": "Contoso Data sells a self-managed warehouse appliance with a long history "
        "in large enterprises. Buyers like the brand but dislike the hardware refresh cycle.",
        "strengths": ["Large installed base in banking", "Mature SQL engine",
                      "Strong relationships with global systems integrators"],
        "weaknesses": ["Capacity is bought up front and sits idle outside month-end",
                       "No native edge collection", "Upgrades need a services engagement"],
        "landmines": ["What did your last hardware refresh cost, including services?",
                      "How long does it take to add a new source system today?"],
        "rows": [("Deployment", "Fully managed", "Customer managed"),
                 ("Pricing", "Per credit, elastic", "Per node, fixed"),
                 ("Edge collection", "Included", "Not available"),
                 ("Time to first use case", "About 8 weeks", "4-6 months")],
    },
    "Fabrikam BI": {
        "summary": "Fabrikam BI is a popular dashboard tool that often arrives through a "
        "department credit card. It is easy to start with but hard to govern at scale.",
        "strengths": ["Attractive visualizations", "Low entry price per user",
                      "Large community of report builders"],
        "weaknesses": ["No shared metric layer, so numbers differ by report",
                       "Row-level security is configured per report",
                       "Per-user pricing grows quickly across a sales org"],
        "landmines": ["How many versions of win rate exist in your reports today?",
                      "Who approves access to sensitive columns in each dashboard?"],
        "rows": [("Certified metrics", "Built in", "Manual per report"),
                 ("Governance", "Lineage and policies", "Per-report permissions"),
                 ("Pricing", "Platform credits", "Per named user"),
                 ("Forecasting", "Native models", "Requires add-on")],
    },
}

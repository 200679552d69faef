"""Spoken and written selling text: slide talk tracks and email bodies.

Kept apart from content.py so each module stays readable. Placeholders are filled with
str.format: {first} and {account} become the literal merge fields {{first_name}} and
{{account_name}} that the email tool replaces at send time.
"""

SLIDE_NOTES = {
    "title": "Thank them for the time and confirm how long we have. Restate the goal in one "
    "sentence: to see whether {company} can help {industry} teams like theirs trust their "
    "numbers faster. Ask who else should be in the next conversation.",
    "problem": "Do not read the bullets. Pick the one the {persona} mentioned in discovery and "
    "ask them to describe what it looked like last month. Let the silence work; the best "
    "deals start when the buyer tells the story in their own words.",
    "solution": "Keep this slide short. Tie each capability of {product} back to a pain they "
    "named, and skip anything they did not raise. If the data engineer is in the room, offer "
    "the technical deep dive instead of going deeper here.",
    "proof": "Lead with the proof point closest to their industry. Numbers are only "
    "believable with a name behind them, so offer a reference call with a customer of the "
    "same size before they ask for one.",
    "industry": "Show that we understand the regulations and the daily reality of {industry}. "
    "Ask which of these points their auditors or regulators push on most, and note the "
    "answer for the security review.",
    "case": "Tell the customer story as a before and after. Pause on the results table and ask "
    "which metric would matter most to their leadership team this year.",
    "roi_inputs": "Fill the calculator live with their numbers, not ours. If they hesitate on "
    "a value, use the conservative default and say so; a CFO trusts a modest model more than "
    "an aggressive one.",
    "roi_results": "Walk through payback first, then three-year ROI. Remind them the pilot fee "
    "is credited against the first year, so the downside of testing is small.",
    "tco": "Compare total cost of ownership over three years, including hardware refresh and "
    "platform staff. Most buyers only compare licence prices, which hides the real gap with "
    "{competitor}.",
    "architecture": "Draw the flow from source systems to dashboards. Stop at the edge layer "
    "and ask about connectivity at their sites, since it decides how many nodes they need.",
    "security": "Offer the SOC 2 Type II report and the pre-filled security questionnaire "
    "today. Security reviews are the most common reason deals slip a quarter, so start early.",
    "results": "Review what was promised at signature against what was delivered. Be honest "
    "about anything behind plan and show the fix; credibility here drives the renewal.",
    "roadmap": "Share the next two quarters of roadmap that matter to them and ask which "
    "items they want to join as design partners.",
    "next": "Agree on a concrete next step with a date and an owner before the call ends. "
    "Propose the mutual action plan and confirm who signs off on budget.",
}

EMAILS = {
    "cold": (
        "How {account} could close the books in 4 days",
        "A bank like yours cut month-end close from 9 days to 4.",
        ["Hi {first},",
         "Most finance teams we speak with in {industry} spend the first week of every month "
         "reconciling exports from systems that do not agree. The work is careful and "
         "important, but it leaves little time for the analysis the board actually wants.",
         "{company} gives the close team one governed copy of ledger, billing and operations "
         "data, refreshed continuously. Reconciliation breaks show up during the month "
         "instead of at the end, and the numbers in every report come from the same "
         "certified definitions.",
         "Would it be worth 20 minutes to see whether the same approach fits {account}? I "
         "can bring a short ROI model pre-filled with public numbers for a company your size."],
        ["Harborview Bank cut month-end close from 9 days to 4",
         "Customers report a median payback period of 7 months",
         "SOC 2 Type II and ISO 27001 certified, with US, EU and Canadian regions"],
    ),
    "follow_up": (
        "Recap and next steps from today's {product} demo",
        "The recording, the architecture diagram and a proposed pilot plan.",
        ["Hi {first},",
         "Thank you for the time today and for bringing your data engineering lead. It was "
         "useful to hear how the current pipelines break whenever a source system changes, "
         "and how much weekend on-call time that costs the team.",
         "As promised, I have attached the architecture diagram we sketched and a draft pilot "
         "success plan. The pilot would run for 30 days on real data from two of the "
         "{account} systems, with success criteria we agree on before kickoff.",
         "Your security team asked about encryption and data residency. The security package, "
         "including our SOC 2 Type II report, is ready to share as soon as the NDA is signed."],
        ["Pilot: 30 days, one use case, production data",
         "Security package: SOC 2 Type II, penetration test summary, security questionnaire",
         "Proposed next meeting: pilot kickoff with both sponsors"],
    ),
    "proposal_sent": (
        "Proposal for {account}: {product}",
        "Pricing, implementation timeline and the mutual action plan.",
        ["Hi {first},",
         "Please find our proposal for {account} attached. It reflects the scope we agreed in "
         "the evaluation: the first use case, the implementation timeline of about 8 weeks, "
         "and the three-year pricing with the renewal cap your procurement team asked for.",
         "I have also included the ROI summary built with your own inputs. Based on those "
         "numbers the project pays back in under a year, and the pilot fee is credited "
         "against the first-year order.",
         "To keep the go-live date, we would need a signature by the end of the month. The "
         "mutual action plan lists each remaining step, its owner and its date."],
        ["Three-year term with a 5 percent renewal cap",
         "Fixed-fee implementation with a named project manager",
         "Payment terms net 45, invoiced annually"],
    ),
    "event_invite": (
        "Join us at the Retail Data Summit, {account}",
        "Breakfast briefing on store-level forecasting and markdown reduction.",
        ["Hi {first},",
         "We are hosting a breakfast briefing for retail leaders the morning before the "
         "Retail Data Summit. Juniper & Vale will share how store-level demand forecasts "
         "cut their markdown spend and halved stockouts during the holiday peak.",
         "The session is small by design, with about twenty merchandising, operations and "
         "finance leaders, and there will be time to compare notes on loyalty data, "
         "e-commerce returns and seasonal planning.",
         "Seats are limited. Reply to this email and I will save one for you and a colleague "
         "from {account}."],
        ["Speaker: VP Merchandising, Juniper & Vale",
         "Topic: store-level forecasting and markdown optimization",
         "Format: 60-minute breakfast, no slides longer than ten minutes"],
    ),
    "breakup": (
        "Should I close the file on {account}?",
        "No reply needed if the timing is wrong.",
        ["Hi {first},",
         "I have reached out a few times about simplifying vendor onboarding and data "
         "platform spend at {account}, and I have not heard back, which usually means the "
         "timing is wrong or I have the wrong person.",
         "Before I close the file: many procurement teams we work with are consolidating "
         "overlapping analytics tools this year. Because {company} is listed on the major "
         "cloud marketplaces, the subscription can draw down existing cloud commits, and our "
         "Master Subscription Agreement usually clears legal review in two weeks.",
         "If that is worth a conversation, just reply with a good week. If not, I will not "
         "follow up again, and I wish you a strong quarter."],
        ["Draws down existing cloud marketplace commits",
         "Published per-credit pricing with no hidden usage fees",
         "Standard MSA and DPA ready for review"],
    ),
    "recap": (
        "Discovery call recap for {account}",
        "What we heard, what we suggest, and what happens next.",
        ["Hi {first},",
         "Thanks again for walking me through how {account} runs reporting today. Here is "
         "what I heard, so you can correct anything I got wrong before we involve the wider "
         "team.",
         "Your operations leaders learn about unplanned downtime at shift change, plant data "
         "and ERP data live in separate systems, and inventory decisions rely on reports "
         "that are about a week old. You would like same-day visibility across all sites "
         "without adding headcount.",
         "You also mentioned that two plants lose their network link several times a week, "
         "which is exactly the case Northwind Edge was built for: each node keeps buffering "
         "readings and raising alerts locally until the connection returns.",
         "Suggested next step: a 45-minute session with your plant IT lead to review "
         "connectivity at each site and size the edge deployment."],
        ["Pain: downtime discovered hours late",
         "Goal: same-day visibility across sites",
         "Next step: connectivity review with plant IT"],
    ),
}

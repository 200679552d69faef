"""The one rule for whether a use of content counts for a deal (search evidence and the
insights area both read it from here).

Use counts while the deal is open, and for a closed deal when it happened before `closed_at`
*and* was recorded while the deal was still open. The second condition matters because a CRM that
sends no close time gets the end of the close date (issue 7): a rep who uses content on a deal
already marked won at 15:00 would otherwise "influence" a deal that closed before they touched it.
A reopened deal counts every use again, since it is open.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from app.deals.models import Deal, UsageEvent


def counts(deal_status: str, closed_at: datetime | None, status_at_use: str,
           occurred_at: datetime) -> bool:
    if deal_status == "open":
        return True
    return status_at_use == "open" and closed_at is not None and occurred_at < closed_at


def counts_sql(deal=Deal, usage=UsageEvent) -> ColumnElement[bool]:
    """The same rule as SQL, over a usage row joined to its deal (aliases may be passed)."""
    return or_(deal.status == "open",
               and_(usage.deal_status == "open", usage.occurred_at < deal.closed_at))


def event_counts(event: UsageEvent) -> bool:
    deal = event.deal
    return counts(deal.status, deal.closed_at, event.deal_status, event.occurred_at)

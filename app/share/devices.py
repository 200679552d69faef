"""What kind of device opened a share link, from its User-Agent, and whether it was a robot.

Link previews matter more than anything else here: a link pasted into Slack, Teams, WhatsApp or
iMessage, or sent through a mail gateway that scans URLs, is fetched by a robot within seconds, and
a rep must not be told "the prospect opened it" when only a preview card was drawn.

Robots are recognised by CrawlerDetect (the `crawlerdetect` package, a maintained port of
JayBizzle/Crawler-Detect's ~1,500 patterns, which covers the chat and social previewers, search
engines, HTTP libraries and headless browsers), plus a few Microsoft Office and mail-security
fetchers it does not list. The device class is a short, curated set of rules from the tokens
browsers document (Google: Android tablets leave out "Mobile"; Apple: "iPad", "iPhone").

iPads since iPadOS 13 send a desktop Safari User-Agent by default, so they count as desktops:
only script in the page can tell them apart.
"""

from __future__ import annotations

import re

from crawlerdetect import CrawlerDetect

# Real User-Agents stay well under this; CrawlerDetect's patterns take time that grows with the
# square of the length (10 kB took seconds), so anything longer is cut before matching.
MAX_USER_AGENT = 512
DEVICE_CLASSES = ("desktop", "phone", "tablet", "bot", "unknown")

# Fetchers CrawlerDetect 0.4.2 does not know: Office apps checking a link before opening it
# ("ms-office", "Microsoft Office Existence Discovery"), Teams and Outlook previews, Google's
# safety and read-aloud fetchers, and the URL scanners of mail gateways.
EXTRA_BOTS = re.compile(
    r"ms-office|MSOffice|Microsoft Office|MicrosoftPreview|SkypeUriPreview"
    r"|Google-Safety|Google-Read-Aloud|Mimecast|Proofpoint|Barracuda",
    re.IGNORECASE,
)
# One instance for the process: its results are cached, and the flag it sets for its
# get_matches() is never read here, so sharing it between threads is safe.
_DETECTOR = CrawlerDetect()

TV = re.compile(r"SmartTV|Smart-TV|SMART-TV|Android TV|GoogleTV|AppleTV|CrKey|Tizen.*TV|Web0S|"
                r"\bAFT[A-Z]|BRAVIA|HbbTV|PlayStation|Xbox|Nintendo", re.IGNORECASE)
TABLET = re.compile(r"iPad|Tablet|Kindle|Silk/|PlayBook|\bSM-[TXP]\d", re.IGNORECASE)
PHONE = re.compile(r"iPhone|iPod|Windows Phone|BlackBerry|BB10|Opera Mini|Mobi|IEMobile"
                   r"|KaiOS", re.IGNORECASE)
ANDROID = re.compile(r"\bAndroid\b", re.IGNORECASE)
DESKTOP = re.compile(r"Windows NT|Macintosh|Mac OS X|X11|CrOS|Linux x86_64|Linux i686|Ubuntu"
                     r"|Fedora|FreeBSD|OpenBSD", re.IGNORECASE)


def device_class(user_agent: str | None) -> str:
    """One of "desktop", "phone", "tablet", "bot" or "unknown" (no or an unrecognised UA)."""
    agent = _normalised(user_agent)
    if not agent:
        return "unknown"
    if is_link_preview_bot(agent):
        return "bot"
    if TV.search(agent):
        return "unknown"  # a shared screen says nothing about who is looking
    if TABLET.search(agent):
        return "tablet"
    if PHONE.search(agent):
        return "phone"
    if ANDROID.search(agent):
        return "tablet"  # Android browsers on tablets leave out "Mobile"
    if DESKTOP.search(agent):
        return "desktop"
    return "unknown"


def is_link_preview_bot(user_agent: str | None) -> bool:
    """True for link previewers, URL scanners, crawlers and scripted clients; False for people
    (and for an empty User-Agent, which says nothing either way)."""
    agent = _normalised(user_agent)
    if not agent:
        return False
    return bool(EXTRA_BOTS.search(agent)) or _DETECTOR.is_crawler(agent)


def _normalised(user_agent: str | None) -> str:
    if not isinstance(user_agent, str):
        return ""
    # Whitespace runs collapse first (linear, and bounded by the server's header limit anyway).
    return " ".join(user_agent[: 32 * MAX_USER_AGENT].split())[:MAX_USER_AGENT]

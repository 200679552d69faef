"""Device classes and robot detection from real User-Agent strings, and hostile ones."""

from __future__ import annotations

import time

import pytest

from app.share.devices import DEVICE_CLASSES, device_class, is_link_preview_bot

PEOPLE = {
    "iPhone Safari": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "phone"),
    "iPhone Chrome": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/126.0.6478.153 Mobile/15E148 Safari/604.1", "phone"),
    "Android Chrome phone (reduced UA)": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36", "phone"),
    "Samsung Internet phone": (
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", "phone"),
    "Firefox Android phone": (
        "Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0", "phone"),
    "LinkedIn in-app browser": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1466", "phone"),
    "Facebook in-app browser": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240705.005; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 Mobile Safari/537.36 "
        "[FB_IAB/FB4A;FBAV/471.0.0.35.80;]", "phone"),
    "iPad Safari": (
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1", "tablet"),
    "Android tablet Chrome": (
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36", "tablet"),
    "Android tablet Chrome (reduced UA)": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36", "tablet"),
    "Firefox Android tablet": (
        "Mozilla/5.0 (Android 14; Tablet; rv:127.0) Gecko/127.0 Firefox/127.0", "tablet"),
    "Kindle Fire Silk": (
        "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Silk/126.2.1 like Chrome/126.0.6478.153 Safari/537.36", "tablet"),
    "Windows Edge": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "desktop"),
    "Windows Firefox": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "desktop"),
    "macOS Safari": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15", "desktop"),
    "macOS Chrome": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36", "desktop"),
    "Linux Firefox": (
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", "desktop"),
    "ChromeOS": (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36", "desktop"),
    "new Outlook for Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0 OneOutlook/1.2024.613.200", "desktop"),
    "Teams desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Teams/24165.1410.2974.6689 Chrome/120.0.6099.291 Electron/28.3.3 Safari/537.36",
        "desktop"),
}

BOTS = {
    "Slackbot-LinkExpanding": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Slack-ImgProxy": "Slack-ImgProxy (+https://api.slack.com/robots)",
    "facebookexternalhit": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Facebot": "Mozilla/5.0 (compatible; Facebot)",
    "Twitterbot": "Twitterbot/1.0",
    "LinkedInBot": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "WhatsApp": "WhatsApp/2.23.20.0 A",
    "TelegramBot": "TelegramBot (like TwitterBot)",
    "Discordbot": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Skype / Teams preview": (
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
        "skype-url-preview@microsoft.com"),
    "MicrosoftPreview": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/51.0.2704.79 Safari/537.36 Edge/14.14393 MicrosoftPreview/2.0 "
        "+https://aka.ms/MicrosoftPreview"),
    "Office existence discovery": "Microsoft Office Existence Discovery",
    "Office ms-office link check": "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
    "Office protocol discovery": (
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17726; Pro)"),
    "Googlebot smartphone": (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Applebot": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)"),
    "iMessage preview": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
        "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0"),
    "Google-Safety": "Google-Safety",
    "Google Read Aloud": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/41.0.2272.118 Safari/537.36 (compatible; Google-Read-Aloud; "
        "+https://support.google.com/webmasters/answer/1061943)"),
    # Mail gateways mostly fetch with a browser's User-Agent; these are the ones that say so.
    "Mimecast": "Mimecast URL Protect",
    "Proofpoint": "Proofpoint URL Defense/1.0",
    "Barracuda": "Barracuda Sentinel (EE)",
    "curl": "curl/8.5.0",
    "Wget": "Wget/1.21.4",
    "python-requests": "python-requests/2.32.3",
    "Go-http-client": "Go-http-client/1.1",
    "HeadlessChrome": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/126.0.0.0 Safari/537.36"),
}


@pytest.mark.parametrize("name", PEOPLE)
def test_people_get_their_device_class_and_are_not_robots(name):
    agent, expected = PEOPLE[name]
    assert device_class(agent) == expected
    assert is_link_preview_bot(agent) is False


@pytest.mark.parametrize("name", BOTS)
def test_previewers_scanners_and_scripts_are_robots(name):
    assert is_link_preview_bot(BOTS[name]) is True
    assert device_class(BOTS[name]) == "bot"


def test_the_table_covers_every_kind():
    assert {expected for _agent, expected in PEOPLE.values()} == {"phone", "tablet", "desktop"}
    assert len(PEOPLE) + len(BOTS) >= 30


def test_a_smart_tv_is_not_called_a_tablet():
    tv = ("Mozilla/5.0 (Linux; Android 9; AFTKA Build/PS7233; wv) AppleWebKit/537.36 "
          "(KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Safari/537.36")
    assert device_class(tv) == "unknown"


HOSTILE = {
    "None": None,
    "empty": "",
    "blank": "   \t ",
    "not a string": 42,
    "unknown token": "MyCustomClient",
    "10 kB of one letter": "a" * 10_000,
    "10 kB of spaces then a browser": " " * 10_000 + PEOPLE["Windows Edge"][0],
    "10 kB of parentheses": "(" * 10_000,
    "non-ASCII": "Mozilla/5.0 (Ünïcødé; 中文; العربية) 🙂 Gecko/20100101",
    "control characters": "Mozilla/5.0\r\n\x00\x1b[0m (X11; Linux x86_64)",
    "surrogate escape": "Mozilla/5.0 \udcff\udcfe",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_odd_input_never_raises_and_gives_a_known_class(name):
    assert device_class(HOSTILE[name]) in DEVICE_CLASSES
    assert is_link_preview_bot(HOSTILE[name]) in (True, False)


def test_nothing_known_is_unknown_and_not_a_robot():
    for agent in (None, "", "   ", "MyCustomClient"):
        assert device_class(agent) == "unknown"
        assert is_link_preview_bot(agent) is False


def test_long_input_is_fast():
    """The bot patterns take time quadratic in the length; long input is cut first."""
    started = time.monotonic()
    for index, letter in enumerate("abcdefgh"):  # distinct strings: no cached answers
        device_class(f"{index}" + letter * 10_000)
    assert time.monotonic() - started < 2.0


def test_padding_does_not_hide_the_browser():
    assert device_class(" " * 10_000 + PEOPLE["Windows Edge"][0]) == "desktop"
    assert device_class("\t\n" * 3000 + BOTS["curl"]) == "bot"

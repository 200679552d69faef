"""Coarse location from the browser's time zone and Accept-Language, and hostile input."""

from __future__ import annotations

import re
import zoneinfo

import pytest

from app.share.location import browser_timezone, coarse_location, language_region

SAFE = re.compile(r"^(?:[A-Za-z0-9_+\-/]+(?: · [A-Z]{2})?|[A-Z]{2})?$")


@pytest.mark.parametrize(("timezone", "accept_language", "expected"), [
    ("Europe/Berlin", "de-DE,de;q=0.9", "Europe/Berlin · DE"),
    ("America/Argentina/Buenos_Aires", "es-AR,es;q=0.9,en;q=0.8",
     "America/Argentina/Buenos_Aires · AR"),
    ("Asia/Kolkata", "en-IN", "Asia/Kolkata · IN"),
    ("Asia/Calcutta", None, "Asia/Calcutta"),  # an old alias some systems still report
    (None, "de-DE,de;q=0.9", "DE"),
    ("", "pt-br", "BR"),
    ("Europe/Berlin", None, "Europe/Berlin"),
    ("Europe/Berlin", "de", "Europe/Berlin"),
    (None, None, ""),
    ("", "", ""),
])
def test_known_hints_combine(timezone, accept_language, expected):
    assert coarse_location(timezone, accept_language) == expected


@pytest.mark.parametrize(("header", "region"), [
    ("de-DE,de;q=0.9", "DE"),
    ("en-US,en;q=0.9,de-DE;q=0.8", "US"),
    ("de,en-GB;q=0.7", "GB"),             # the most preferred language naming a region
    ("fr-CA;q=0.5, en-GB;q=0.9", "GB"),   # by weight, not by order
    ("en-GB, en-US", "GB"),               # equal weights: the first listed
    ("zh-Hant-TW,zh;q=0.9", "TW"),        # after a script subtag
    ("sr-Latn-RS", "RS"),
    ("zh-yue-HK", "HK"),                  # after an extended language subtag
    ("en-gb", "GB"),
    ("en-GB-oxendict", "GB"),
    ("de-DE;q=0, fr-FR;q=0.1", "FR"),     # q=0 means "not acceptable"
    ("en-US;q=0", None),
    ("es-419", None),                     # Latin America: an area, not a country
    ("en-ZZ, en-XA, en-QM, en-AA", None),  # private-use codes
    ("*", None),
    ("de", None),
    ("de-DE;q=2", None),
])
def test_language_region(header, region):
    assert language_region(header) == region


@pytest.mark.parametrize(("value", "expected"), [
    ("Europe/Berlin", "Europe/Berlin"),
    (" Europe/Berlin\n", "Europe/Berlin"),
    ("Pacific/Chatham", "Pacific/Chatham"),
    ("europe/berlin", None),   # names are exact
    ("Europe/Atlantis", None),
    ("UTC", None),             # no place in these
    ("Etc/UTC", None),
    ("Etc/GMT+5", None),
    ("GMT", None),
    ("localtime", None),
    ("Factory", None),
    ("../../etc/passwd", None),
    ("Europe/../../etc", None),
])
def test_browser_timezone(value, expected):
    assert browser_timezone(value) == expected


def test_every_place_zone_is_accepted():
    places = {name for name in zoneinfo.available_timezones()
              if "/" in name and not name.startswith("Etc/")}
    assert len(places) > 400, "the tz database is missing on this machine"
    assert all(browser_timezone(name) == name for name in places)


HOSTILE = [
    "Europe/Berlin'; DROP TABLE visits; --",
    "<script>alert(1)</script>",
    "Europe/Berlin\r\nSet-Cookie: x=1",
    "Europe/Berlin\x00",
    "\x1b[31mEurope/Berlin",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "Europe/Berlin" * 400,
    "x" * 5000,
    ",".join(["de-DE"] * 2000),
    "de-DE;q=0.9," * 500,
    "\u202eEurope/Berlin",
    "Europe/Berlín",
    "ja-JP;q=0.\u0665",  # an Arabic-Indic digit in the weight
    "de-\u0414\u0415",   # Cyrillic letters that look like a region
    "\ud800",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_gives_nothing_or_only_the_valid_part(value):
    assert coarse_location(value, value) == ""
    assert coarse_location("Europe/Berlin", value) == "Europe/Berlin"
    assert coarse_location(value, "de-DE") == "DE"


@pytest.mark.parametrize("value", [42, b"Europe/Berlin", ["Europe/Berlin"], {"tz": 1}])
def test_values_that_are_not_strings_are_ignored(value):
    assert coarse_location(value, value) == ""


def test_a_hostile_list_keeps_the_valid_language():
    assert language_region("<script>, ;;;, de-DE;q=0.9, \x00") == "DE"


def test_output_is_short_and_only_zone_names_and_capitals():
    longest = max(zoneinfo.available_timezones(), key=len)
    for timezone in (longest, "Europe/Berlin", None, *HOSTILE):
        for accept_language in ("de-DE", None, *HOSTILE):
            result = coarse_location(timezone, accept_language)
            assert len(result) <= 80
            assert SAFE.match(result), result

"""Amounts, dates, ids, text and owners, each from a file the test writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.deals.csv_import import RowIssue, neutralize_cell, salesforce_id

HEADER = "Record ID,Deal Name,Deal Stage,Close Date,Amount,Currency\n"


def _rows(values: list[tuple[str, str]]) -> str:
    """One HubSpot row per (amount, currency); ids 1, 2, ... like the rows."""
    lines = [f'{i},Deal {i},Closed Won,2026-03-15,"{amount}",{currency}'
             for i, (amount, currency) in enumerate(values, 1)]
    return HEADER + "\n".join(lines) + "\n"


AMOUNTS = [
    ("€9,500.00", ""), ("12k", ""), ("(2,500.00)", ""), ("-2500", ""), ("1.200,50", ""),
    ("123456789012345678901234567890", ""), ("1.2345", ""), ("99.999", ""),
    ("USD 7,900.00", "EUR"), ("ABC 100", ""), ("7,900.00 USD", ""), ("5", "EURO"),
    ("", ""), ("USD 7,900.00", ""), ("9999999999999999.99", ""), ("10000000000000000", ""),
    ("1,200", ""), ("5", "usd"), (" 184,500.00 ", "USD"), ("1.200.000", ""),
]


def test_amounts_in_an_en_file(load_csv):
    plan, reading, records = load_csv(_rows(AMOUNTS))
    assert reading.rejected == [
        RowIssue(1, "amount '€9,500.00' has a currency symbol; give the ISO code in a currency "
                    "column", "Amount"),
        RowIssue(2, "amount '12k' has a suffix; write the whole number", "Amount"),
        RowIssue(3, "amount '(2,500.00)' is negative (accounting brackets); amounts are 0 or "
                    "more", "Amount"),
        RowIssue(4, "amount '-2500' is negative; amounts are 0 or more", "Amount"),
        RowIssue(5, "amount '1.200,50' is not a number in the en format (1,234.56); if the "
                    "file writes 1.234,56, choose its locale (e.g. de_DE)", "Amount"),
        RowIssue(6, "amount '123456789012345678901234567890' is too large (at most "
                    "9999999999999999.99)", "Amount"),
        RowIssue(7, "amount '1.2345' has more than 2 decimal places", "Amount"),
        RowIssue(8, "amount '99.999' has more than 2 decimal places (read in the en format, "
                    "1,234.56); if the file writes 1.234,56, choose its locale (e.g. de_DE)",
                 "Amount"),
        RowIssue(9, "amount 'USD 7,900.00' says USD, but the currency column says EUR",
                 "Amount"),
        RowIssue(10, "amount 'ABC 100': 'ABC' is not an ISO 4217 currency code", "Amount"),
        RowIssue(11, "amount '7,900.00 USD' has a suffix; write the whole number", "Amount"),
        RowIssue(12, "'EURO' is not an ISO 4217 currency code", "Currency"),
        RowIssue(16, "amount '10000000000000000' is too large (at most 9999999999999999.99)",
                 "Amount"),
        RowIssue(20, "amount '1.200.000' is not a number in the en format (1,234.56); if the "
                     "file writes 1.234,56, choose its locale (e.g. de_DE)", "Amount"),
    ]
    assert [(r.row, r.amount, r.currency) for r in records] == [
        (13, None, None), (14, Decimal("7900.00"), "USD"),
        (15, Decimal("9999999999999999.99"), None), (17, Decimal("1200.00"), None),
        (18, Decimal("5.00"), "USD"), (19, Decimal("184500.00"), "USD")]


def test_amounts_in_a_de_file(load_csv):
    values = [("184.500,00", ""), ("1 234,56", ""), ("1\u00a0234,5", ""), ("1,200.50", ""),
              ("1,234", ""), ("EUR 7.900,00", ""), ("1.200", "")]
    plan, reading, records = load_csv(_rows(values), locale="de_DE")
    assert reading.rejected == [
        RowIssue(4, "amount '1,200.50' is not a number in the de_DE format (1.234,56)",
                 "Amount"),
        RowIssue(5, "amount '1,234' has more than 2 decimal places (read in the de_DE format, "
                    "1.234,56)", "Amount"),
    ]
    assert [(r.row, r.amount, r.currency) for r in records] == [
        (1, Decimal("184500.00"), None), (2, Decimal("1234.56"), None),
        (3, Decimal("1234.50"), None), (6, Decimal("7900.00"), "EUR"),
        (7, Decimal("1200.00"), None)]


DATES = ["03/04/2026", "3/15/26", "46097", "2026-02-30", "15 Mar 2026", "March 15, 2026",
         "2026-03-15", "15.03.2026", "03/15/2026", "15/03/2026", "2026-03-15T23:30:00-02:00",
         "", "31.02.2026", "13/13/2026", "04/04/2026", "2026/03/15", "soon",
         "3/15/2026, 2:05 PM", "3/15/2026 13:05 PM"]


def _dated(values: list[str]) -> str:
    return "Record ID,Deal Name,Deal Stage,Close Date\n" + "".join(
        f'{i},Deal {i},Closed Won,"{value}"\n' for i, value in enumerate(values, 1))


def test_dates_without_a_locale(load_csv):
    plan, reading, records = load_csv(_dated(DATES))
    assert reading.rejected == [
        RowIssue(1, "ambiguous date '03/04/2026': March 4 (M/d/yyyy) or 3 April (d/M/yyyy); "
                    "choose the file's locale", "Close Date"),
        RowIssue(2, "date '3/15/26' has a two-digit year; write the year in full",
                 "Close Date"),
        RowIssue(3, "date '46097' looks like an Excel serial number; format the column as a "
                    "date before saving", "Close Date"),
        RowIssue(4, "date '2026-02-30' does not exist", "Close Date"),
        RowIssue(5, "date '15 Mar 2026' has a month name; write it with digits, e.g. "
                    "2026-03-15", "Close Date"),
        RowIssue(6, "date 'March 15, 2026' has a month name; write it with digits, e.g. "
                    "2026-03-15", "Close Date"),
        RowIssue(12, "required value is blank", "Close Date"),
        RowIssue(13, "date '31.02.2026' does not exist (d.M.yyyy puts the day first)",
                 "Close Date"),
        RowIssue(14, "date '13/13/2026' does not exist", "Close Date"),
        RowIssue(17, "'soon' is not a date", "Close Date"),
        RowIssue(19, "time in '3/15/2026 13:05 PM' does not exist", "Close Date"),
    ]
    # A datetime's close date is its date as written, not moved to UTC.
    assert [(r.row, r.close_date) for r in records] == [
        (7, date(2026, 3, 15)), (8, date(2026, 3, 15)), (9, date(2026, 3, 15)),
        (10, date(2026, 3, 15)), (11, date(2026, 3, 15)), (15, date(2026, 4, 4)),
        (16, date(2026, 3, 15)), (18, date(2026, 3, 15))]


@pytest.mark.parametrize(("locale", "expected"), [
    ("en_US", date(2026, 3, 4)), ("en_GB", date(2026, 4, 3)), ("de_DE", date(2026, 4, 3)),
])
def test_a_locale_resolves_slash_dates(load_csv, locale, expected):
    plan, reading, records = load_csv(_dated(["03/04/2026", "15/03/2026"]), locale=locale)
    assert records[0].close_date == expected


def test_a_locale_rejects_a_slash_date_in_the_other_order(load_csv):
    plan, reading, records = load_csv(_dated(["15/03/2026", "03/15/2026", "15.03.2026"]),
                                  locale="en_US")
    assert reading.rejected == [
        RowIssue(1, "date '15/03/2026' does not exist (read as M/d/yyyy)", "Close Date")]
    assert [r.close_date for r in records] == [date(2026, 3, 15), date(2026, 3, 15)]


REPORT = ('"Opportunity Name","Stage","Close Date","Opportunity ID"\n'
          '"Fifteen","Closed Won","2026-03-15","0065g00000QkR2m"\n'
          '"Other case","Closed Won","2026-03-15","0065g00000QkR2M"\n'
          '"Eighteen","Closed Won","2026-03-15","00570000001ZwTiAAK"\n'
          '"Wrong suffix","Closed Won","2026-03-15","0065g00000QkR2mAAV"\n'
          '"Lower-case suffix","Closed Won","2026-03-15","00570000001ZwTiaak"\n'
          '"Not an id","Closed Won","2026-03-15","006-bad"\n'
          '"Spaces","Closed Won","2026-03-15"," 0065g00000Abcde "\n')


def test_salesforce_ids(load_csv):
    plan, reading, records = load_csv(REPORT)
    # QkR2m: Q (bit 0) and R (bit 2) are upper case -> 5 -> F; QkR2M adds M (bit 4) -> 21 -> V.
    # 1ZwTi: Z (bit 1) and T (bit 3) -> 10 -> K; the first two blocks have none -> AA.
    # Abcde: A (bit 0) -> 1 -> B; the id is trimmed, its case kept.
    assert [(r.row, r.external_id) for r in records] == [
        (1, "0065g00000QkR2mAAF"), (2, "0065g00000QkR2MAAV"), (3, "00570000001ZwTiAAK"),
        (7, "0065g00000AbcdeAAB")]
    assert reading.rejected == [
        RowIssue(4, "Salesforce id '0065g00000QkR2mAAV' has a wrong checksum: its last 3 "
                    "characters should be 'AAF'", "Opportunity ID"),
        RowIssue(5, "Salesforce id '00570000001ZwTiaak' has a wrong checksum: its last 3 "
                    "characters should be 'AAK'", "Opportunity ID"),
        RowIssue(6, "'006-bad' is not a Salesforce id (15 or 18 letters and digits)",
                 "Opportunity ID"),
    ]


def test_a_report_id_and_a_dataloader_id_are_the_same_deal(load_csv):
    report = load_csv('"Opportunity Name","Stage","Close Date","Opportunity ID"\n'
                  '"A","Closed Won","2026-03-15","0065g00000QkR2m"\n')[2]
    extract = load_csv("Id,Name,StageName,CloseDate\n0065g00000QkR2mAAF,A,Closed Won,"
                   "2026-03-15\n")[2]
    assert report[0].external_id == extract[0].external_id == "0065g00000QkR2mAAF"
    assert salesforce_id("0065g00000QkR2m") == "0065g00000QkR2mAAF"


TEXT = HEADER.replace(",Currency", ",Deal owner,Associated Company")


def test_text_is_kept_as_written(load_csv):
    rows = ['1,"  Spaces kept  ",Closed Won,2026-03-15,,"Jane  Doe ", Müller & Söhne ',
            '2,"=HYPERLINK(""http://evil.example"",""click"")",Closed Won,2026-03-15,,,',
            '3,"+SUM(A1)",  Closed Won  ,2026-03-15,,,']
    plan, reading, records = load_csv(TEXT + "\n".join(rows) + "\n")
    assert [(r.name, r.owner_name, r.account, r.stage, r.status) for r in records] == [
        ("  Spaces kept  ", "Jane  Doe ", " Müller & Söhne ", "Closed Won", "won"),
        ('=HYPERLINK("http://evil.example","click")', None, None, "Closed Won", "won"),
        ("+SUM(A1)", None, None, "  Closed Won  ", "won"),
    ]


def test_text_limits_and_control_characters(load_csv):
    rows = [f'1,"{"n" * 301}",Closed Won,2026-03-15,,,',
            f'{"9" * 65},ok,Closed Won,2026-03-15,,,',
            f'3,ok,"{"s" * 121}",2026-03-15,,,',
            '4,"esc\x1b[31m",Closed Won,2026-03-15,,,',
            '5,"tab\tand\nnewline",Closed Won,2026-03-15,,,',
            f'6,"{"n" * 300}",Closed Won,2026-03-15,,,',
            '7,"",Closed Won,2026-03-15,,,',
            '8,"   ",Closed Won,2026-03-15,,,',
            ',no id,Closed Won,2026-03-15,,,']
    plan, reading, records = load_csv(TEXT + "\n".join(rows) + "\n")
    assert reading.rejected == [
        RowIssue(1, "longer than 300 characters (301)", "Deal Name"),
        RowIssue(2, "longer than 64 characters (65)", "Record ID"),
        RowIssue(3, "longer than 120 characters (121)", "Deal Stage"),
        RowIssue(4, "control character U+001B at position 4", "Deal Name"),
        RowIssue(7, "required value is blank", "Deal Name"),
        RowIssue(8, "required value is blank", "Deal Name"),
        RowIssue(9, "required value is blank", "Record ID"),
    ]
    assert [(r.row, len(r.name)) for r in records] == [(5, 15), (6, 300)]


def test_a_row_with_every_required_value_blank_lists_each(load_csv):
    plan, reading, records = load_csv(TEXT + " , ,, ,,Jane Doe,\n")
    assert reading.rejected == [
        RowIssue(1, "required value is blank", "Record ID"),
        RowIssue(1, "required value is blank", "Deal Name"),
        RowIssue(1, "required value is blank", "Deal Stage"),
        RowIssue(1, "required value is blank", "Close Date"),
    ]
    assert reading.rejected_rows == 1


def test_owners_pass_through(load_csv):
    plan, reading, records = load_csv(
        "Id,Name,StageName,CloseDate,Owner.Email,Owner.Name\n"
        "0065g00000QkR2mAAF,A,Closed Won,2026-03-15, Jane.Doe@Example.com ,Jane Doe\n"
        "0065g00000QkR2MAAV,B,Closed Won,2026-03-15,not-an-email,Jane Doe\n"
        "00570000001ZwTiAAK,C,Closed Won,2026-03-15,,\n")
    assert [(r.owner_email, r.owner_name) for r in records] == [
        ("Jane.Doe@Example.com", "Jane Doe"), (None, "Jane Doe"), (None, None)]
    assert reading.warnings == [
        RowIssue(2, "'not-an-email' is not an e-mail address; left out", "Owner.Email")]


def test_account_domains(load_csv):
    plan, reading, records = load_csv(
        "Id,Name,StageName,CloseDate,Account.Name,Account.Website\n"
        "0065g00000QkR2mAAF,A,Closed Won,2026-03-15,Acme,"
        '"https://www.Acme.com/about; acme.de, acme.com"\n'
        "0065g00000QkR2MAAV,B,Closed Won,2026-03-15,Bäcker,bäcker.de not_a_domain\n")
    assert [r.account_domains for r in records] == [
        ("acme.com", "acme.de"), ("xn--bcker-gra.de",)]
    assert reading.warnings == [
        RowIssue(2, "'not_a_domain' is not a domain name; left out", "Account.Website")]


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Acme", "Acme"),
    (" =1", " =1"), ("", ""), (42, 42), (None, None),
])
def test_neutralize_cell(value, expected):
    assert neutralize_cell(value) == expected

"""Encodings, layout and files that are refused as a whole."""

from __future__ import annotations

import os
import random
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.deals.csv_import import ImportFileError, RowIssue, inspect, read

HUBSPOT = "Record ID,Deal Name,Deal Stage,Close Date,Amount,Deal owner,Associated Company,Currency"


def test_utf8_bom_is_dropped_from_the_first_header(load_csv):
    plan, reading, records = load_csv("\ufeff" + HUBSPOT + "\n101,Acme,Closed Won,2026-03-15,"
                                  "1000,,Acme Corp,EUR\n")
    assert plan.encoding == "utf-8-sig"
    assert plan.headers[0] == "Record ID"
    assert plan.mapping["external_id"] == "Record ID"
    assert [(r.external_id, r.amount, r.currency) for r in records] == [
        ("101", Decimal("1000.00"), "EUR")]


GERMAN_REPORT = (
    "Opportunity Owner;Account Name;Opportunity Name;Stage;Amount;Close Date;Opportunity ID\r\n"
    "Jürgen Weiß;Müller GmbH;Lizenz – 5.000 € Paket;Closed Won;184.500,00;15.03.2026;"
    "0065g00000QkR2m\r\n"
    "Jürgen Weiß;Müller GmbH;\"Wartung; Support\";Prospecting;1 250,5;01.04.2026;"
    "0065g00000QkR2M\r\n")


def test_cp1252_excel_resave_with_semicolons_and_euro_sign(load_csv, csv_file):
    raw = GERMAN_REPORT.encode("cp1252")
    assert b"\x80" in raw and b"\x96" in raw  # € and – as Windows-1252 writes them
    plan, reading, records = load_csv(raw, locale="de_DE")
    assert (plan.source, plan.encoding, plan.delimiter) == ("salesforce_report", "cp1252", ";")
    assert reading.rejected == []
    assert [(r.row, r.name, r.owner_name, r.account, r.amount, r.close_date, r.status)
            for r in records] == [
        (1, "Lizenz – 5.000 € Paket", "Jürgen Weiß", "Müller GmbH", Decimal("184500.00"),
         date(2026, 3, 15), "won"),
        (2, "Wartung; Support", "Jürgen Weiß", "Müller GmbH", Decimal("1250.50"),
         date(2026, 4, 1), "open"),
    ]


def test_semicolon_file_without_locale_reads_en_numbers_and_says_so(load_csv):
    plan, reading, records = load_csv(GERMAN_REPORT.encode("cp1252"))
    assert plan.notes == ("';' separates the columns, as Excel does in comma-decimal locales: "
                          "amounts are read as 1,234.56 unless you choose the file's locale",)
    assert records == []
    assert reading.rejected == [
        RowIssue(1, "amount '184.500,00' is not a number in the en format (1,234.56); if the "
                    "file writes 1.234,56, choose its locale (e.g. de_DE)", "Amount"),
        RowIssue(2, "amount '1 250,5' is not a number in the en format (1,234.56); if the "
                    "file writes 1.234,56, choose its locale (e.g. de_DE)", "Amount"),
    ]


def test_quoted_fields_keep_delimiters_quotes_and_line_breaks(load_csv):
    content = (HUBSPOT + "\r\n"
               '101,"Line one\nline two, with comma; and ""quotes""",Closed Won,2026-03-15,'
               '1000,jane@example.com,Acme,EUR\r\n'
               '102,"CRLF\r\ninside",Appointment Scheduled,2026-04-01,,Jane Doe,Beta,\r\n'
               "103,Third,Closed Won,2026-02-01,12k,,,USD\r\n"
               '104,"Fourth",closedlost,2026-02-01,"1,500.50",,,USD\r\n')
    plan, reading, records = load_csv(content)
    assert [(r.row, r.name) for r in records] == [
        (1, 'Line one\nline two, with comma; and "quotes"'), (2, "CRLF\r\ninside"),
        (4, "Fourth")]
    assert reading.rejected == [
        RowIssue(3, "amount '12k' has a suffix; write the whole number", "Amount")]
    assert reading.rows == 4


def test_excel_unicode_text_is_utf16_with_tabs(load_csv):
    content = "\ufeff" + HUBSPOT.replace(",", "\t") + "\n101\tÖl & Gas\tClosed Won\t" \
              "2026-03-15\t5\t\t\tEUR\n"
    plan, reading, records = load_csv(content.encode("utf-16-le"))
    assert (plan.encoding, plan.delimiter) == ("utf-16", "\t")
    assert [(r.external_id, r.name, r.amount) for r in records] == [
        ("101", "Öl & Gas", Decimal("5.00"))]


def test_ten_megabytes_of_random_bytes(csv_file):
    path = csv_file(random.Random(7).randbytes(10 * 1024 * 1024))
    with pytest.raises(ImportFileError) as caught:
        inspect(path)
    assert caught.value.message == "the file holds binary data (NUL bytes), not CSV text"


def test_bytes_that_are_neither_utf8_nor_cp1252(csv_file):
    # "Record ID,Deal Name\n" is 20 bytes, "1,Caf" 5 more: 0x81 sits at offset 25.
    path = csv_file(b"Record ID,Deal Name\n1,Caf\x81\n")
    with pytest.raises(ImportFileError) as caught:
        inspect(path)
    assert caught.value.message == ("the file is neither UTF-8 nor Windows-1252 text (byte "
                                    "0x81 at offset 25); save it as CSV UTF-8")


def test_utf8_then_a_latin1_byte_is_a_mix_of_encodings(csv_file):
    # 20 + "1,M" (3) + "ü" (2) + "ller\n" (5) + "2,M" (3) = offset 33 for the lone 0xFC.
    path = csv_file("Record ID,Deal Name\n1,Müller\n".encode() + b"2,M\xfcller\n")
    with pytest.raises(ImportFileError) as caught:
        inspect(path)
    assert caught.value.message == ("the file mixes encodings: it is UTF-8 up to offset 33, "
                                    "where byte 0xFC is not; save it again as CSV UTF-8")


def test_a_bom_followed_by_bytes_that_are_not_utf8(csv_file):
    path = csv_file(b"\xef\xbb\xbfRecord ID,Deal Name\n1,M\xfcller\n")
    with pytest.raises(ImportFileError) as caught:
        inspect(path)
    assert caught.value.message == ("the file starts as UTF-8 but byte 0xFC at offset 26 is "
                                    "not UTF-8; save it again as CSV UTF-8")


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf", "the file is empty"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200),
     "the file is a ZIP archive or an Excel workbook (.xlsx), not CSV; export or save it as CSV"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "the file is a PDF document, not CSV; export or save it "
                                       "as CSV"),
    (b"\n<html><body><table><tr><td>Deal</td></tr></table></body></html>",
     "the file is an HTML or XML document (a 'printable view' or a web page), not CSV; export "
     "it as CSV"),
    (b"hello world\nno columns here\n",
     "the first line has no ',', ';', tab or '|' between columns: this is not a CSV export"),
    (b"\nRecord ID,Deal Name\n", "the first line is blank; the header row must come first"),
    (b"Dear team, please find the numbers attached.\nThanks\n",
     "these columns are not a Salesforce, HubSpot or Pipedrive deals export (the header starts "
     "'Dear team', 'please find the numbers attached.'); export the deals again or choose the "
     "source"),
])
def test_files_that_are_not_csv_exports(csv_file, content, message):
    with pytest.raises(ImportFileError) as caught:
        inspect(csv_file(content))
    assert caught.value.message == message


def test_header_only_reads_nothing(load_csv):
    plan, reading, records = load_csv(HUBSPOT + "\n")
    assert plan.ready
    assert (records, reading.rejected, reading.warnings, reading.rows) == ([], [], [], 0)


@pytest.mark.parametrize(("body", "message"), [
    ('101,"never closed,Closed Won,2026-03-15\n102,x,Closed Won,2026-03-15\n',
     "row 1: a quoted field is never closed"),
    ('101,ok,Closed Won,2026-03-15\n102,"ab"c,Closed Won,2026-03-15\n',
     "row 2: a quote ends in the middle of a field; the file is not valid CSV"),
])
def test_broken_quoting_refuses_the_file(csv_file, body, message):
    path = csv_file(HUBSPOT + "\n" + body)
    plan = inspect(path)
    with pytest.raises(ImportFileError) as caught:
        read(path, plan)
    assert caught.value.message == message


def test_a_stray_nul_rejects_its_row_only(load_csv):
    plan, reading, records = load_csv(HUBSPOT + "\n101,bad\x00name,Closed Won,2026-03-15,,,,\n"
                                  "102,good,Closed Won,2026-03-15,,,,\n")
    assert [r.external_id for r in records] == ["102"]
    assert reading.rejected == [
        RowIssue(1, "control character U+0000 at position 4", "Deal Name")]


def test_a_lone_surrogate_rejects_its_row(load_csv):
    raw = (HUBSPOT + "\n101,ab").encode() + b"\xed\xa0\x80" + b",Closed Won,2026-03-15,,,,\n"
    plan, reading, records = load_csv(raw)
    assert records == []
    assert reading.rejected == [RowIssue(1, "lone surrogate U+D800 at position 3", "Deal Name")]


def test_read_refuses_a_file_whose_header_is_not_the_inspected_one(csv_file):
    plan = inspect(csv_file(HUBSPOT + "\n"))
    other = csv_file(HUBSPOT.replace("Amount", "Value") + "\n")
    with pytest.raises(ImportFileError) as caught:
        read(other, plan)
    assert caught.value.message == ("the file's header row is not the one inspected; inspect "
                                    "the file again")


def test_records_refuse_a_file_changed_after_read(csv_file):
    path = csv_file(HUBSPOT + "\n101,A,Closed Won,2026-03-15,,,,\n")
    reading = read(path, inspect(path))
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("102,B,Closed Won,2026-03-15,,,,\n")
    with pytest.raises(ImportFileError) as caught:
        list(reading.records())
    assert caught.value.message == "the file changed while it was imported; upload it again"


def test_records_can_be_iterated_twice(csv_file):
    path = csv_file(HUBSPOT + "\n101,A,Closed Won,2026-03-15T10:00:00Z,,,,\n")
    reading = read(path, inspect(path))
    assert list(reading.records()) == list(reading) and len(list(reading)) == 1
    assert os.path.exists(path)


def test_datetimes_are_utc(load_csv):
    content = ("Record ID,Deal Name,Deal Stage,Close Date,Create Date,Last Modified Date\n"
               "1,A,Closed Won,2026-03-15,2026-01-02 09:14,2026-03-15T23:30:00-02:00\n")
    plan, reading, [record] = load_csv(content)
    assert record.created_at == datetime(2026, 1, 2, 9, 14, tzinfo=UTC)
    assert record.updated_at == datetime(2026, 3, 16, 1, 30, tzinfo=UTC)

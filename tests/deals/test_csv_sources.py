"""Each source's header set: detection, the mapping preview, required columns, one full deal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.deals.csv_import import DealRecord, ImportFileError, inspect, read

REPORT = ('"Opportunity Owner","Account Name","Opportunity Name","Stage","Fiscal Period",'
          '"Amount Currency","Amount","Probability (%)","Close Date","Created Date",'
          '"Opportunity ID"\n'
          '"Jane Doe","Acme Corp","Acme renewal","Closed Won","Q1-2026","USD","184,500.00",'
          '"100","3/15/2026","1/2/2026","0065g00000QkR2m"\n')

DATALOADER = ('"ID","NAME","ACCOUNTID","ACCOUNT.NAME","OWNERID","OWNER.EMAIL","AMOUNT",'
              '"CURRENCYISOCODE","STAGENAME","ISCLOSED","ISWON","CLOSEDATE","CREATEDDATE",'
              '"LASTMODIFIEDDATE"\n'
              '"0065g00000QkR2mAAF","Acme renewal","0015g00000AbCdEAAZ","Acme Corp",'
              '"0055g00000XyZaBAAC","Jane.Doe@Example.com","184500.0","USD","Closed Won","true",'
              '"true","2026-03-15","2026-01-02T09:14:33.000Z","2026-03-16T10:00:00.000+0000"\n')

HUBSPOT = ("Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Associated Company,"
           "Create Date,Last Modified Date,Pipeline,Currency\n"
           "9876543210,Acme renewal,closedwon,2026-03-15 00:00,jane@example.com,184500,"
           "Acme Corp,2026-01-02 09:14,2026-03-16 10:00,Sales Pipeline,USD\n")

PIPEDRIVE = ("Deal - ID,Deal - Title,Deal - Organization,Deal - Value,Deal - Currency,"
             "Deal - Status,Deal - Stage,Deal - Owner,Deal - Expected close date,"
             "Deal - Won time,Deal - Lost time,Deal - Deal created,Deal - Contact person\n"
             "42,Acme renewal,Acme Corp,184500,USD,Won,Negotiations Started,Jane Doe,"
             "2026-03-31,2026-03-14 10:22:31,,2026-01-02 09:14:00,John Buyer\n")


def test_salesforce_report_preview(csv_file):
    plan = inspect(csv_file(REPORT))
    assert (plan.source, plan.crm, plan.missing) == ("salesforce_report", "salesforce", ())
    assert plan.mapping == {
        "owner_name": "Opportunity Owner", "account": "Account Name",
        "name": "Opportunity Name", "stage": "Stage", "currency": "Amount Currency",
        "amount": "Amount", "close_date": "Close Date", "created_at": "Created Date",
        "external_id": "Opportunity ID"}
    assert plan.ignored == ("Fiscal Period", "Probability (%)")


def test_salesforce_report_deal(load_csv):
    plan, reading, records = load_csv(REPORT, locale="en_US")
    assert records == [DealRecord(
        row=1, external_id="0065g00000QkR2mAAF", name="Acme renewal", account="Acme Corp",
        account_domains=(), owner_email=None, owner_name="Jane Doe",
        amount=Decimal("184500.00"), currency="USD", stage="Closed Won", status="won",
        close_date=date(2026, 3, 15), closed_at=None,
        created_at=datetime(2026, 1, 2, tzinfo=UTC), updated_at=None)]


def test_dataloader_preview_matches_upper_case_api_names(csv_file):
    plan = inspect(csv_file(DATALOADER))
    assert (plan.source, plan.crm, plan.missing) == ("salesforce_dataloader", "salesforce", ())
    assert plan.mapping == {
        "external_id": "ID", "name": "NAME", "account": "ACCOUNT.NAME",
        "owner_email": "OWNER.EMAIL", "amount": "AMOUNT", "currency": "CURRENCYISOCODE",
        "stage": "STAGENAME", "is_closed": "ISCLOSED", "is_won": "ISWON",
        "close_date": "CLOSEDATE", "created_at": "CREATEDDATE",
        "updated_at": "LASTMODIFIEDDATE"}
    assert plan.ignored == ("ACCOUNTID", "OWNERID")
    assert plan.notes == ()


def test_dataloader_deal(load_csv):
    plan, reading, records = load_csv(DATALOADER)
    assert records == [DealRecord(
        row=1, external_id="0065g00000QkR2mAAF", name="Acme renewal", account="Acme Corp",
        account_domains=(), owner_email="Jane.Doe@Example.com", owner_name=None,
        amount=Decimal("184500.00"), currency="USD", stage="Closed Won", status="won",
        close_date=date(2026, 3, 15), closed_at=None,
        created_at=datetime(2026, 1, 2, 9, 14, 33, tzinfo=UTC),
        updated_at=datetime(2026, 3, 16, 10, 0, tzinfo=UTC))]


def test_dataloader_with_only_ids_for_owner_and_account_says_what_to_add(csv_file):
    plan = inspect(csv_file("Id,Name,AccountId,OwnerId,StageName,CloseDate\n"))
    assert plan.notes == (
        "OwnerId holds Salesforce user ids, which cannot be matched to people; add "
        "Owner.Email to the extract to keep the owners",
        "AccountId holds Salesforce ids, not names; add Account.Name to the extract to keep "
        "the accounts")


def test_hubspot_preview_and_deal(load_csv):
    plan, reading, records = load_csv(HUBSPOT)
    assert (plan.source, plan.crm) == ("hubspot", "hubspot")
    assert plan.mapping == {
        "external_id": "Record ID", "name": "Deal Name", "stage": "Deal Stage",
        "close_date": "Close Date", "owner": "Deal owner", "amount": "Amount",
        "account": "Associated Company", "created_at": "Create Date",
        "updated_at": "Last Modified Date", "currency": "Currency"}
    assert plan.ignored == ("Pipeline",)
    assert records == [DealRecord(
        row=1, external_id="9876543210", name="Acme renewal", account="Acme Corp",
        account_domains=(), owner_email="jane@example.com", owner_name=None,
        amount=Decimal("184500.00"), currency="USD", stage="closedwon", status="won",
        close_date=date(2026, 3, 15), closed_at=None,
        created_at=datetime(2026, 1, 2, 9, 14, tzinfo=UTC),
        updated_at=datetime(2026, 3, 16, 10, 0, tzinfo=UTC))]


def test_pipedrive_preview_and_deal(load_csv):
    plan, reading, records = load_csv(PIPEDRIVE)
    assert (plan.source, plan.crm) == ("pipedrive", "pipedrive")
    assert plan.mapping == {
        "external_id": "Deal - ID", "name": "Deal - Title", "account": "Deal - Organization",
        "amount": "Deal - Value", "currency": "Deal - Currency", "status": "Deal - Status",
        "stage": "Deal - Stage", "owner": "Deal - Owner",
        "close_date": "Deal - Expected close date", "won_at": "Deal - Won time",
        "lost_at": "Deal - Lost time", "created_at": "Deal - Deal created"}
    assert plan.ignored == ("Deal - Contact person",)
    assert plan.notes == ("open, won or lost comes from 'Deal - Status'; the stage is kept "
                          "as a label only",)
    # Won: the won time is when it closed, and its date the close date (not the forecast).
    assert records == [DealRecord(
        row=1, external_id="42", name="Acme renewal", account="Acme Corp",
        account_domains=(), owner_email=None, owner_name="Jane Doe",
        amount=Decimal("184500.00"), currency="USD", stage="Negotiations Started",
        status="won", close_date=date(2026, 3, 14),
        closed_at=datetime(2026, 3, 14, 10, 22, 31, tzinfo=UTC),
        created_at=datetime(2026, 1, 2, 9, 14, tzinfo=UTC), updated_at=None)]


def test_newer_pipedrive_header_names(csv_file):
    plan = inspect(csv_file("Deal - Pipedrive System ID,Deal - Title,Deal - Currency of value,"
                            "Deal - Status,Deal - Expected close date,Deal - Creation date,"
                            "Deal - Closed on\n"))
    assert plan.mapping == {
        "external_id": "Deal - Pipedrive System ID", "name": "Deal - Title",
        "currency": "Deal - Currency of value", "status": "Deal - Status",
        "close_date": "Deal - Expected close date", "created_at": "Deal - Creation date",
        "closed_on": "Deal - Closed on"}
    assert plan.missing == ()


def test_headers_match_ignoring_case_and_spaces(csv_file):
    plan = inspect(csv_file(" record id ,DEAL NAME,deal stage,close date\n"))
    assert plan.source == "hubspot"
    assert plan.mapping == {"external_id": "record id", "name": "DEAL NAME",
                            "stage": "deal stage", "close_date": "close date"}


def test_report_without_opportunity_id_is_refused_by_read(csv_file):
    path = csv_file('"Opportunity Name","Stage","Close Date","Amount"\n"A","Closed Won",'
                    '"3/15/2026","1"\n')
    plan = inspect(path)
    assert (plan.source, plan.missing, plan.ready) == ("salesforce_report", ("external_id",),
                                                       False)
    with pytest.raises(ImportFileError) as caught:
        read(path, plan)
    assert caught.value.message == (
        "the Salesforce report has no column for external id ('Opportunity ID' or "
        "'Opportunity ID (18)' or 'Opportunity 18 Digit ID')")


def test_a_chosen_source_lists_every_missing_column(csv_file):
    path = csv_file("Deal - ID,Deal - Title,Deal - Stage\n")
    plan = inspect(path, source="pipedrive")
    assert plan.missing == ("close_date", "status")
    with pytest.raises(ImportFileError) as caught:
        read(path, plan)
    assert caught.value.message == (
        "the Pipedrive deals export has no column for close date ('Deal - Expected close "
        "date'); status ('Deal - Status')")


def test_dataloader_needs_a_stage_or_both_flags(csv_file):
    plan = inspect(csv_file("Id,Name,CloseDate,IsWon\n"), source="salesforce_dataloader")
    assert plan.missing == ("stage",)
    assert plan.mapping == {"external_id": "Id", "name": "Name", "close_date": "CloseDate"}
    assert plan.notes == ("open, won or lost needs both the closed and the won column; with "
                          "one of them it comes from the stage",)
    with pytest.raises(ImportFileError) as caught:
        read(csv_file("Id,Name,CloseDate,IsWon\n"), plan)
    assert caught.value.message == (
        "the Salesforce Data Loader or Data Export (Opportunity) has no column for stage "
        "('StageName' or 'IsClosed' with 'IsWon')")


def test_a_mapped_column_twice_is_refused(csv_file):
    with pytest.raises(ImportFileError) as caught:
        inspect(csv_file("Record ID,Deal Name,Deal Stage,Close Date,deal name\n"))
    assert caught.value.message == "the column 'Deal Name' appears 2 times; keep one"


def test_the_chosen_source_picks_the_delimiter(csv_file):
    plan = inspect(csv_file("Id;Name;StageName;CloseDate\n"), source="salesforce_dataloader")
    assert (plan.delimiter, plan.missing) == (";", ())


@pytest.mark.parametrize(("kwargs", "start"), [
    ({"source": "salesforce"}, "unknown source 'salesforce'; choose one of auto, "
                               "salesforce_report, salesforce_dataloader, hubspot, pipedrive"),
    ({"locale": "xx_YY"}, "unknown locale 'xx_YY'; known: cs_CZ, da_DK, de_AT"),
])
def test_unknown_source_or_locale(csv_file, kwargs, start):
    with pytest.raises(ImportFileError) as caught:
        inspect(csv_file(HUBSPOT), **kwargs)
    assert caught.value.message.startswith(start)


def test_locale_spelling_is_normalised(csv_file):
    assert inspect(csv_file(HUBSPOT), locale="de-de").locale == "de_DE"

"""100,000 rows stream: memory does not grow with the file (a structural bound, not a timing)."""

from __future__ import annotations

import csv
import os
import tracemalloc

import pytest

from app.deals.csv_import import inspect, read
from app.deals.csv_import.sfid import checksum

ROWS = 100_000


def _write_extract(path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Name", "Account.Name", "Owner.Email", "Amount",
                         "CurrencyIsoCode", "StageName", "IsClosed", "IsWon", "CloseDate",
                         "CreatedDate", "LastModifiedDate"])
        for i in range(ROWS):
            id15 = f"0065g{i:010d}"
            won = i % 3 == 0
            writer.writerow([
                id15 + checksum(id15), f"Deal number {i} for Some Customer Ltd",
                f"Customer {i % 5000} GmbH", f"rep{i % 50}@example.com",
                f"{(i * 7919) % 10_000_000}.{i % 100:02d}", "EUR",
                "Closed Won" if won else "Negotiation/Review", str(won).lower(),
                str(won).lower(), "2026-03-15", "2025-11-02T09:14:33.000Z",
                "2026-03-16T10:00:00.000Z"])


@pytest.mark.slow
def test_a_100000_row_file_streams_in_bounded_memory(tmp_path):
    path = str(tmp_path / "opportunities.csv")
    _write_extract(path)
    size = os.path.getsize(path)
    plan = inspect(path)
    tracemalloc.start()
    try:
        reading = read(path, plan)
        after_first_pass = tracemalloc.get_traced_memory()[0]
        count = won = 0
        for record in reading.records():
            count += 1
            won += record.status == "won"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (count, won, reading.rejected, reading.warnings) == (ROWS, 33_334, [], [])
    assert size > 19_000_000
    # The fingerprints (16 bytes per id, 2^17 slots for 100,000 ids, plus the half-size table
    # while it grows) are the only thing that grows; no record is kept.
    assert peak < 16 * 2**17 * 1.5 + 1_000_000
    assert peak < size / 5
    assert after_first_pass < 100_000

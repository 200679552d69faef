"""Export files built by the tests themselves, byte for byte."""

from __future__ import annotations

import itertools

import pytest

from app.deals.csv_import import inspect, read


@pytest.fixture
def csv_file(tmp_path):
    """write(text or bytes, encoding="utf-8") -> path of a new file holding it."""
    counter = itertools.count(1)

    def write(content: str | bytes, encoding: str = "utf-8") -> str:
        path = tmp_path / f"export-{next(counter)}.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return str(path)

    return write


@pytest.fixture
def load_csv(csv_file):
    """load_csv(content, source=, locale=, stage_map=) -> (plan, reading, records)."""

    def run(content, *, source="auto", locale=None, stage_map=None, encoding="utf-8"):
        path = csv_file(content, encoding)
        plan = inspect(path, source, locale)
        reading = read(path, plan, stage_map)
        return plan, reading, list(reading.records())

    return run

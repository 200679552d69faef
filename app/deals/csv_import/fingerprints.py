"""Duplicate detection in bounded memory: 16 bytes per distinct external id, in two flat arrays
(a dict of Python objects would cost some 150 bytes an id). A slot holds a 64-bit hash of the
id, and a 32-bit hash of the deal's values packed with the row the id was first seen in.

Two different ids share a 64-bit hash with odds of about n²/2⁶⁵ (3·10⁻¹⁰ for 100,000 ids); two
different versions of one id share a value hash with odds of 2⁻³² per repeated id, in which case
the later one is skipped as identical (with a warning) instead of both being rejected."""

from __future__ import annotations

import hashlib
from array import array

from app.deals.csv_import.model import DealRecord

_START = 1 << 12
_MAX_LOAD = 0.8  # linear probing stays short at this load with well-mixed keys
_ROW_BITS = 32


def _hash(text: str, size: int) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=size).digest()
    return int.from_bytes(digest, "little")


def id_hash(record: DealRecord) -> int:
    return _hash(record.external_id, 8) or 1  # 0 marks an empty slot


def value_hash(record: DealRecord) -> int:
    return _hash(repr(record.values()), 4)


class FingerprintTable:
    """Open addressing with linear probing over two parallel arrays of 64-bit words."""

    def __init__(self, capacity: int = _START):
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        self._keys = array("Q", [0]) * capacity
        self._slots = array("Q", [0]) * capacity
        self._mask = capacity - 1
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, key: int, value: int, row: int) -> tuple[int, int] | None:
        """Store the first sighting of `key`; for a key seen before, return (value, row) of
        that first sighting and keep it. `value` must fit 32 bits, `row` too."""
        keys, mask = self._keys, self._mask
        slot = key & mask
        while keys[slot]:
            if keys[slot] == key:
                packed = self._slots[slot]
                return packed >> _ROW_BITS, packed & ((1 << _ROW_BITS) - 1)
            slot = (slot + 1) & mask
        keys[slot] = key
        self._slots[slot] = (value << _ROW_BITS) | row
        self._size += 1
        if self._size > _MAX_LOAD * (mask + 1):
            self._grow()
        return None

    def _grow(self) -> None:
        keys, slots = self._keys, self._slots
        self._allocate(2 * len(keys))
        for key, packed in zip(keys, slots, strict=True):
            if key:
                self.add(key, packed >> _ROW_BITS, packed & ((1 << _ROW_BITS) - 1))

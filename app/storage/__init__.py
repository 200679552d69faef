"""Blob storage: pick a backend from configuration.

The backends take plain values rather than the Flask app so they can be used from
CLI jobs, the GC task and the benchmark without an application context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    CHUNK,
    BlobNotFound,
    Storage,
    StoredBlob,
    UploadTooLarge,
    blob_key,
    content_disposition,
)
from .local import LocalStorage
from .s3 import S3Storage

__all__ = [
    "CHUNK",
    "BlobNotFound",
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StoredBlob",
    "UploadTooLarge",
    "blob_key",
    "build_storage",
    "content_disposition",
]

BACKENDS = ("local", "s3")


def build_storage(config: Mapping[str, Any]) -> Storage:
    backend = str(config.get("STORAGE_BACKEND") or "").strip().lower()
    if backend == "local":
        root = config.get("STORAGE_LOCAL_ROOT")
        if not root:
            raise ValueError("STORAGE_BACKEND=local requires STORAGE_LOCAL_ROOT")
        return LocalStorage(root)
    if backend == "s3":
        bucket = config.get("S3_BUCKET")
        if not bucket:
            raise ValueError("STORAGE_BACKEND=s3 requires S3_BUCKET")
        return S3Storage(
            bucket,
            config.get("S3_PREFIX") or "",
            config.get("S3_ENDPOINT_URL") or None,
            config.get("AWS_REGION") or None,
        )
    raise ValueError(
        f"unknown STORAGE_BACKEND {config.get('STORAGE_BACKEND')!r}; expected one of {BACKENDS}"
    )

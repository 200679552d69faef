"""S3 (and S3-compatible: MinIO, moto, ...) blob store."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from .base import (
    CHUNK,
    BlobNotFound,
    Storage,
    StoredBlob,
    blob_key,
    check_key,
    content_disposition,
    hash_copy,
)

PART_SIZE = 8 * 1024 * 1024
MAX_CONCURRENCY = 4
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def _transfer_config() -> TransferConfig:
    config = TransferConfig(
        multipart_threshold=PART_SIZE,
        multipart_chunksize=PART_SIZE,
        max_concurrency=MAX_CONCURRENCY,
    )
    # s3transfer copies each part of a file object into memory and by default lets 10
    # wait in line (~80 MiB per upload on top of the in-flight ones). Reading a part
    # from a spooled file is far quicker than sending it, so one per worker is enough.
    config.max_in_memory_upload_chunks = MAX_CONCURRENCY
    return config


def _is_not_found(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


class _BodyReader(io.RawIOBase):
    """Adapts botocore's StreamingBody to the io protocol (readinto, iteration, with)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Storage(Storage):
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        stripped = (prefix or "").strip("/")
        self.prefix = f"{stripped}/" if stripped else ""
        self.client = client or self._make_client(endpoint_url, region)
        self._transfer = _transfer_config()

    @staticmethod
    def _make_client(endpoint_url: str | None, region: str | None) -> Any:
        # Virtual-host addressing needs DNS for "<bucket>.<host>", which a MinIO or moto
        # endpoint on localhost does not have; path style works everywhere.
        s3_options = {"addressing_style": "path"} if endpoint_url else {}
        config = Config(signature_version="s3v4", s3=s3_options)
        return boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)

    def _object_key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def save(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        if _seekable(stream):
            start = stream.tell()
            sha256, size = hash_copy(stream, None, max_bytes)
            stream.seek(start)
            return self._store(stream, sha256, size)
        # The key depends on the hash, so a one-shot stream must be spooled to disk
        # (not memory) before we know where to upload it.
        with tempfile.TemporaryFile() as spool:
            sha256, size = hash_copy(stream, spool.write, max_bytes)
            spool.seek(0)
            return self._store(spool, sha256, size)

    def _store(self, body: BinaryIO, sha256: str, size: int) -> StoredBlob:
        key = blob_key(sha256)
        object_key = self._object_key(key)
        if not (self._exists(object_key) and self._touch(object_key)):
            self.client.upload_fileobj(body, self.bucket, object_key, Config=self._transfer)
        return StoredBlob(key=key, sha256=sha256, size=size)

    def _touch(self, object_key: str) -> bool:
        """Refresh LastModified of a dedup hit; False when the object vanished meanwhile.

        A dedup hit must look fresh to GC (which skips recently modified blobs), or an orphan
        could be reaped between this save and the caller's database commit. If GC deleted it
        between our HEAD and this copy, the caller uploads the bytes again."""
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=object_key,
                CopySource={"Bucket": self.bucket, "Key": object_key},
                MetadataDirective="REPLACE",
            )
        except ClientError as exc:
            if _is_not_found(exc):
                return False
            raise
        return True

    def _exists(self, object_key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=object_key)
        except ClientError as exc:
            if _is_not_found(exc):
                return False
            raise
        return True

    def open(self, key: str) -> BinaryIO:
        return self._get(key)

    def open_range(self, key: str, start: int, stop: int) -> BinaryIO:
        """Bytes [start, stop) with one ranged GET, so seeking in a video costs no more than
        the bytes asked for."""
        return self._get(key, Range=f"bytes={start}-{stop - 1}")

    def _get(self, key: str, **options: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key),
                                              **options)
        except ClientError as exc:
            if _is_not_found(exc):
                raise BlobNotFound(key) from None
            raise
        return io.BufferedReader(_BodyReader(response["Body"]), CHUNK)

    def exists(self, key: str) -> bool:
        return self._exists(self._object_key(key))

    def delete(self, key: str) -> None:
        # DeleteObject already succeeds for missing keys.
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def url(
        self, key: str, *, filename: str, content_type: str, inline: bool, expires: int = 300
    ) -> str | None:
        params = {
            "Bucket": self.bucket,
            "Key": self._object_key(key),
            "ResponseContentDisposition": content_disposition(filename, inline),
            "ResponseContentType": content_type,
        }
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def modified_at(self, key: str) -> datetime:
        return self._head(key)["LastModified"].astimezone(UTC)

    def _head(self, key: str) -> dict:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if _is_not_found(exc):
                raise BlobNotFound(key) from None
            raise

    def iter_blobs(self) -> Iterator[tuple[str, datetime]]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"][len(self.prefix) :]
                try:
                    check_key(key)
                except ValueError:
                    continue  # not ours (e.g. another app sharing the bucket)
                yield key, obj["LastModified"].astimezone(UTC)

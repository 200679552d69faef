"""The library on S3 storage: moto's server over HTTP, presigned and streamed downloads, GC."""

import hashlib
import urllib.request
import uuid
from datetime import timedelta

import boto3
import pytest
from helpers import SAMPLE_PDF, corpus_file, upload_asset

from app import create_app
from app.auth import services
from app.core.timeutil import utcnow
from app.extensions import db
from app.library.queries import referenced_blob_keys
from app.storage.flask import get_storage
from app.storage.gc import collect_garbage


@pytest.fixture
def s3_app(app, moto_server):
    bucket = f"lockstep-app-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1").create_bucket(
        Bucket=bucket)
    overrides = {key: app.config[key] for key in
                 ("SQLALCHEMY_DATABASE_URI", "UPLOAD_TMP_DIR", "SEARCH_INDEX_DIR")}
    overrides.update(STORAGE_BACKEND="s3", S3_BUCKET=bucket, S3_PREFIX="lockstep/",
                     S3_ENDPOINT_URL=moto_server, AWS_REGION="us-east-1")
    s3_app = create_app("testing", overrides)
    yield s3_app, bucket
    with s3_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _marketer_headers(s3_app):
    with s3_app.app_context():
        user = services.create_user("m@s3.test", "S3 Marketer", "marketer", "long enough pw")
        return {"Authorization": f"Bearer {services.issue_token(user)}"}


def test_upload_lands_in_the_bucket_and_downloads_both_ways(s3_app, moto_server):
    s3_app, bucket = s3_app
    headers = _marketer_headers(s3_app)
    client = s3_app.test_client()
    data = corpus_file(SAMPLE_PDF)
    body = upload_asset(client, headers, data, "s3 deck.pdf").get_json()
    sha = body["current_version"]["sha256"]
    assert sha == hashlib.sha256(data).hexdigest()
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
            .list_objects_v2(Bucket=bucket)["Contents"]]
    assert f"lockstep/{sha[:2]}/{sha[2:4]}/{sha}" in keys
    assert len(keys) == 2  # the file and its thumbnail

    url = f"/api/v1/assets/{body['id']}/versions/1/download"
    redirect = client.get(url, headers=headers)
    assert redirect.status_code == 302
    with urllib.request.urlopen(redirect.headers["Location"]) as response:  # noqa: S310
        assert response.read() == data
        assert "attachment" in response.headers["Content-Disposition"]

    s3_app.config["S3_PRESIGN"] = False
    streamed = client.get(url, headers=headers)
    assert streamed.status_code == 200 and streamed.data == data


def test_gc_removes_only_unreferenced_objects(s3_app):
    s3_app, _ = s3_app
    headers = _marketer_headers(s3_app)
    client = s3_app.test_client()
    upload_asset(client, headers, corpus_file(SAMPLE_PDF), "kept.pdf")
    with s3_app.app_context():
        storage = get_storage()
        import io

        orphan = storage.save(io.BytesIO(b"left behind by a failed commit"))
        later = utcnow() + timedelta(hours=2)
        report = collect_garbage(storage, referenced_blob_keys(), later)
        assert (report.deleted, report.kept) == (1, 2)
        assert not storage.exists(orphan.key)
        assert all(storage.exists(key) for key in referenced_blob_keys())
        db.session.remove()

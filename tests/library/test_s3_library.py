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
    engine = s3_app.extensions.get("lockstep.search")
    if engine is not None:
        engine.close()  # its own index handles; the session app keeps its own
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


def test_streamed_from_s3_ranges_are_exact(s3_app):
    """With S3_PRESIGN=false the app streams from the bucket, ranges and ETag included."""
    import random

    head = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free"
    video = head + random.Random(7).randbytes(2 * 1024 * 1024 + 12_345)
    size = len(video)
    s3_app, _ = s3_app
    s3_app.config["S3_PRESIGN"] = False
    headers = _marketer_headers(s3_app)
    client = s3_app.test_client()
    body = upload_asset(client, headers, video, "clip.mp4", status="published").get_json()
    url = f"/api/v1/assets/{body['id']}/versions/1/download"
    ranges = [("bytes=0-99", 0, 100), ("bytes=1048570-1048600", 1048570, 1048601),
              ("bytes=-300", size - 300, size)]
    asked = []  # what the app asked the bucket for: only the bytes of each range
    from app.storage.flask import get_storage

    with s3_app.app_context():
        events = get_storage().client.meta.events
    record = lambda params, **_: asked.append(params.get("Range"))  # noqa: E731
    events.register("before-parameter-build.s3.GetObject", record)
    for header, start, stop in ranges:
        response = client.get(url, headers={**headers, "Range": header})
        assert response.status_code == 206, header
        assert response.get_data() == video[start:stop]
        assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{size}"
        response.close()
    events.unregister("before-parameter-build.s3.GetObject", record)
    assert asked == [f"bytes={start}-{stop - 1}" for _, start, stop in ranges]
    changed = client.get(url, headers={**headers, "Range": "bytes=0-9", "If-Range": '"other"'})
    assert changed.status_code == 200 and changed.get_data() == video
    assert changed.headers["ETag"] == f'"{body["current_version"]["sha256"]}"'
    unsatisfiable = client.get(url, headers={**headers, "Range": f"bytes={size}-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["Content-Range"] == f"bytes */{size}"


def test_pdf_viewer_reads_through_the_app_when_downloads_are_presigned(s3_app):
    """The viewer page may connect only to its own origin, so its bytes never redirect to S3."""
    from helpers import login

    s3_app, _ = s3_app
    headers = _marketer_headers(s3_app)
    client = s3_app.test_client()
    data = corpus_file(SAMPLE_PDF)
    asset = upload_asset(client, headers, data, "deck.pdf", status="published").get_json()["id"]
    assert login(client, "m@s3.test", "long enough pw").status_code == 302
    page = client.get(f"/assets/{asset}/versions/1/view").get_data(as_text=True)
    src = f"/assets/{asset}/versions/1/download?stream=1"
    assert f'data-src="{src}"' in page
    assert client.get(f"/assets/{asset}/versions/1/download").status_code == 302  # presigned
    streamed = client.get(src)
    assert streamed.status_code == 200 and streamed.get_data() == data
    assert streamed.headers["Content-Disposition"].startswith("attachment")
    streamed.close()

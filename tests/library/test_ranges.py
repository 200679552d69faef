"""Streamed files answer Range and conditional requests with the exact bytes, so a video
player can seek (and Safari, which insists on ranges, plays at all)."""

import random

import pytest
from gunicorn.http.wsgi import FileWrapper as GunicornFileWrapper
from helpers import upload_asset

from app.storage import CHUNK

MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free"
# Over two of the server's chunks, so ranges start and end inside and across chunks.
VIDEO = MP4_HEAD + random.Random(7).randbytes(2 * CHUNK + 12_345)
SIZE = len(VIDEO)


@pytest.fixture
def video(client, api_token):
    _, headers = api_token("marketer")
    response = upload_asset(client, headers, VIDEO, "demo.mp4", status="published")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["current_version"]["content_type"] == "video/mp4"
    return body["id"], body["current_version"]["sha256"]


@pytest.fixture(params=["werkzeug", "gunicorn"])
def reader(request, app, make_user):
    """A signed-in rep's client; `gunicorn` hands the app gunicorn's own wsgi.file_wrapper, as
    `make run` does."""
    from helpers import login

    environ = {"wsgi.file_wrapper": GunicornFileWrapper} if request.param == "gunicorn" else {}
    client = app.test_client()
    client.environ_base.update(environ)
    assert login(client, make_user("rep").email).status_code == 302
    return client


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    data = response.get_data()
    response.close()
    return response, data


@pytest.mark.parametrize("header,start,stop", [
    ("bytes=0-99", 0, 100),                                  # first bytes
    (f"bytes={CHUNK - 10}-{CHUNK + 20}", CHUNK - 10, CHUNK + 21),  # across a chunk boundary
    ("bytes=1000-1000", 1000, 1001),                          # one byte
    ("bytes=-500", SIZE - 500, SIZE),                          # suffix
    (f"bytes={SIZE - 10}-", SIZE - 10, SIZE),                  # open-ended
    (f"bytes=5-{SIZE + 1000}", 5, SIZE),                       # end clipped to the file
], ids=["first", "across-chunks", "one-byte", "suffix", "open-ended", "clipped"])
def test_ranges_return_exactly_the_bytes_asked_for(reader, video, header, start, stop):
    asset_id, sha256 = video
    response, data = get(reader, f"/assets/{asset_id}/versions/1/download?inline=1",
                         Range=header)
    assert response.status_code == 206
    assert data == VIDEO[start:stop]
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert response.headers["Content-Length"] == str(stop - start)
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.headers["ETag"] == f'"{sha256}"'
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_whole_file_advertises_ranges_and_revalidates(reader, video):
    asset_id, sha256 = video
    url = f"/assets/{asset_id}/versions/1/download?inline=1"
    response, data = get(reader, url)
    assert response.status_code == 200 and data == VIDEO
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["ETag"] == f'"{sha256}"'
    not_modified, body = get(reader, url, **{"If-None-Match": f'"{sha256}"'})
    assert not_modified.status_code == 304 and body == b""
    head = reader.head(url)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Length"] == str(SIZE)


def test_unsatisfiable_range_is_416_with_the_length(reader, video):
    asset_id, _ = video
    for header in (f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}"):
        response, data = get(reader, f"/assets/{asset_id}/versions/1/download", Range=header)
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{SIZE}"
        assert data == b""
        assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_if_range_serves_the_range_only_for_the_same_file(reader, video):
    asset_id, sha256 = video
    url = f"/assets/{asset_id}/versions/1/download?inline=1"
    same, data = get(reader, url, Range="bytes=10-19", **{"If-Range": f'"{sha256}"'})
    assert same.status_code == 206 and data == VIDEO[10:20]
    changed, data = get(reader, url, Range="bytes=10-19", **{"If-Range": '"0123abcd"'})
    assert changed.status_code == 200 and data == VIDEO
    assert "Content-Range" not in changed.headers


def test_api_download_takes_ranges_as_an_attachment(client, api_token, video):
    asset_id, _ = video
    _, headers = api_token("leader")
    response = client.get(f"/api/v1/assets/{asset_id}/versions/1/download",
                          headers={**headers, "Range": "bytes=-64"})
    assert response.status_code == 206 and response.get_data() == VIDEO[-64:]
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Type"] == "application/octet-stream"
    response.close()


def test_hidden_asset_is_404_whatever_the_range(client, api_token, login_as):
    _, headers = api_token("marketer")
    draft = upload_asset(client, headers, VIDEO, "draft.mp4").get_json()["id"]
    login_as("rep")
    response = client.get(f"/assets/{draft}/versions/1/download", headers={"Range": "bytes=0-9"})
    assert response.status_code == 404


def test_thumbnail_of_unknown_size_is_sent_whole_and_revalidates(client, api_token, login_as):
    """A blob streamed without a known size must not claim any length (browsers trust it)."""
    from helpers import SAMPLE_PDF, corpus_file

    _, headers = api_token("marketer")
    asset = upload_asset(client, headers, corpus_file(SAMPLE_PDF), "a.pdf",
                         status="published").get_json()["id"]
    login_as("rep")
    response, data = get(client, f"/assets/{asset}/thumbnail")
    assert response.status_code == 200 and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Content-Length" not in response.headers
    etag = response.headers["ETag"]
    again, body = get(client, f"/assets/{asset}/thumbnail", **{"If-None-Match": etag})
    assert again.status_code == 304 and body == b""

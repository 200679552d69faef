"""Property-based API testing: schemathesis drives the live server from its own OpenAPI document.

Every endpoint must answer without a 5xx, with the documented status codes, content types and
response schemas, for generated valid and invalid input (negative testing included).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE_PDF, corpus_file, upload_asset

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
])


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "rep"])
def test_api_conforms_to_its_openapi_document(app, client, live_server, api_token, tmp_path,
                                              role):
    _, headers = api_token(role)
    _, marketer = api_token("marketer")
    # Something to find: ids 1..n exist, so generated ids hit real rows as well as missing ones.
    for status in ("published", "draft"):
        response = upload_asset(client, marketer, corpus_file(SAMPLE_PDF), f"{status}.pdf",
                                status=status)
        assert response.status_code == 201
    cli = Path(sys.executable).with_name("schemathesis")
    command = [
        str(cli), "run", f"{live_server.url}/api/v1/openapi.json",
        "--header", f"Authorization: {headers['Authorization']}",
        "--checks", CHECKS,
        "--max-examples", "15",
        "--seed", "20261127",
        "--workers", "1",
        "--request-timeout", "30",
        # A data-generation check of the fuzzer itself (some path parameters' patterns reject
        # most generated values), not a finding about the API; it trips depending on the order
        # in which operations are generated.
        "--suppress-health-check", "filter_too_much",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=540, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "passed" in output.lower()

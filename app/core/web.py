"""Request ids, error pages and JSON errors, shared template helpers."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from app.core.errors import ServiceError
from app.core.permissions import is_admin, manages_content

log = logging.getLogger("lockstep")
API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, code: str, message: str, details: dict | None = None):
    """JSON for the API, an HTML page for browsers; never a stack trace."""
    if is_api_request():
        body = {"error": {"code": code, "message": message, "details": details or {}}}
        return jsonify(body), status
    page = render_template("errors/error.html", status=status, message=message)
    return make_response(page), status


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 422: "validation_failed", 429: "too_many_requests"}


def handle_http_exception(exc: HTTPException):
    if isinstance(exc, SecurityError):
        # An untrusted Host header: no URL can be built for it, so no templated page.
        return make_response("Bad request: this host name is not served here.", 400,
                             {"Content-Type": "text/plain; charset=utf-8"})
    status = exc.code or 500
    if status >= 500:
        return handle_unexpected(exc)
    data = getattr(exc, "data", None) or {}
    details = _flatten_locations(data.get("errors") or data.get("messages") or {})
    message = data.get("message") or exc.description or exc.name
    if status == 422 and details and "message" not in data:
        message = "Some fields are not valid."
    response, status = error_response(status, _HTTP_CODES.get(status, "error"), message, details)
    if status == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, status


_REQUEST_LOCATIONS = {"json", "query", "form", "files", "headers", "cookies", "path"}


def _flatten_locations(details: dict) -> dict:
    """webargs nests errors under where they came from ({"json": {"stage": [...]}}); clients
    care about the field, so the location level is dropped when it is the only one."""
    if len(details) == 1 and next(iter(details)) in _REQUEST_LOCATIONS:
        inner = next(iter(details.values()))
        return inner if isinstance(inner, dict) else details
    return details


def handle_service_error(exc: ServiceError):
    return error_response(exc.status, exc.code, exc.message, exc.details)


def handle_csrf_error(exc: CSRFError):
    message = "The form expired or did not come from this site. Reload the page and try again."
    return error_response(400, "csrf_failed", message)


def handle_database_busy(exc: OperationalError):
    """SQLite has one writer at a time; when a write waited its whole timeout the transaction was
    rolled back, so the client may simply try again."""
    if "database is locked" not in str(exc.orig):
        return handle_unexpected(exc)
    log.warning("database busy, request %s", g.get("request_id"))
    response, status = error_response(503, "busy", "The library is busy; try again in a moment.")
    response.headers["Retry-After"] = "2"
    return response, status


def handle_unexpected(exc: Exception):
    original = getattr(exc, "original_exception", None) or exc
    log.error("Unhandled error, request %s", g.get("request_id"), exc_info=original)
    message = f"Something went wrong on our side (reference {g.get('request_id', '-')})."
    return error_response(500, "internal_error", message)


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    ok = 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum()
    g.request_id = incoming if ok else secrets.token_hex(8)


def _send_request_id(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_assign_request_id)
    app.after_request(_send_request_id)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_busy)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
    app.jinja_env.filters["filesize"] = filesize
    # Templates ask these instead of comparing role strings, so the rules stay in one place.
    app.jinja_env.globals.update(manages_content=manages_content, is_admin=is_admin)


def filesize(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"

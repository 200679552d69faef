"""The /api/v1 base every area builds on: token or session auth, one error format, the
multipart parser. It imports no product area."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from app.auth.login import api_unauthorized, bearer_token
from app.auth.services import user_for_token
from app.core.web import handle_http_exception
from app.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class PageSchema(Schema):
    """The paging fields of every list answer; lists add their `items`."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class LockstepApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)


class MultipartParser(FlaskParser):
    """Reads the `files` location as form fields and files together, so one schema describes a
    multipart upload (flask-smorest documents it as a single multipart/form-data body)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class ApiBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = MultipartParser()


SPEC_DESCRIPTION = (
    "Lockstep's JSON API. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `flask users token EMAIL`) or with the browser session plus an "
    "`X-CSRFToken` header on writes."
)


def authenticate_api_request():
    """Bearer token when the header is present (and then only the token counts); otherwise the
    browser session, which must carry a CSRF token on writes."""
    if "Authorization" in request.headers:
        user = user_for_token(bearer_token() or "")
        if user is None:
            return api_unauthorized("The API token is not valid.")
        g.api_user = user
        return None
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        g.api_user = current_user._get_current_object()
        return None
    return api_unauthorized("Sign in or send a valid API token.")


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> ApiBlueprint:
    blp = ApiBlueprint(name, import_name, url_prefix="/api/v1" + url_prefix,
                       description=description)
    blp.before_request(authenticate_api_request)
    csrf.exempt(blp)
    return blp


def actor():
    return g.api_user

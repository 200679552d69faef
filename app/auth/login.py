"""Flask-Login wiring: cookie sessions for the browser, bearer tokens for the API."""

from flask import Flask, current_app, redirect, request, url_for

from app.auth import sessions
from app.core.web import error_response, is_api_request
from app.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)


def _load_user(session_id: str):
    return sessions.user_for_session(session_id, current_app.permanent_session_lifetime)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_unauthorized(message: str):
    """The API's 401: the usual error body plus the challenge that names the scheme."""
    response, status = error_response(401, "unauthorized", message)
    return response, status, {"WWW-Authenticate": 'Bearer realm="lockstep"'}


def _unauthorized():
    if is_api_request():
        return api_unauthorized("Sign in or send a valid API token.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

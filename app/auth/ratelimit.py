"""Per-user rate limits on uploads and other expensive requests, with Flask-Limiter.

Views mark themselves with `@rate_limited("uploads")`; the application factory gives each app its
own Limiter (Flask-Limiter keeps its storage on the Limiter object, and one process may build
several apps, as the tests do) and wraps the marked views with it. The counts live in Redis when
REDIS_URL is set, so every worker and host shares them, and in the process's memory otherwise
(the embedded default: each worker then counts on its own). A limit is a Flask-Limiter string
read from the configuration at request time, e.g. "60 per minute;1000 per hour".

Limits are counted per signed-in user (bearer token or session), per client IP otherwise, and
each named limit is shared by every view that carries it: an upload through the form and one
through the API draw on the same allowance. A refused request answers 429 in the app's error
format (JSON for /api/, an HTML page otherwise) with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_login import current_user

EXTENSION_KEY = "lockstep.limiter"
LIMITS = {
    "uploads": ("RATELIMIT_UPLOADS", "You have uploaded a lot in a short time. Wait a little "
                                     "and try again."),
    "expensive": ("RATELIMIT_EXPENSIVE", "Too many requests of this kind in a short time. Wait "
                                         "a little and try again."),
}
_MARK = "_lockstep_rate_limits"


def rate_limited(name: str, methods: Iterable[str] | None = None) -> Callable:
    """Mark a view (or a MethodView method) for the named limit; `methods` narrows a view that
    answers several methods (a form page's GET stays free)."""
    if name not in LIMITS:
        raise ValueError(f"unknown rate limit {name!r}; expected one of {sorted(LIMITS)}")

    def mark(view: Callable) -> Callable:
        marks = (*getattr(view, _MARK, ()), (name, tuple(methods) if methods else None))
        setattr(view, _MARK, marks)
        return view

    return mark


def rate_limit_key() -> str:
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    return f"user:{user.id}" if user is not None else f"ip:{request.remote_addr or '-'}"


def _configured(setting: str) -> Callable[[], str]:
    return lambda: current_app.config[setting]


def init_app(app: Flask) -> Limiter:
    """Build the app's Limiter and wrap every marked view; call after blueprints are registered."""
    limiter = Limiter(
        key_func=rate_limit_key,
        app=app,
        storage_uri=app.config.get("REDIS_URL") or "memory://",
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        strategy="moving-window",
        headers_enabled=True,
    )
    app.extensions[EXTENSION_KEY] = limiter
    for endpoint, view in list(app.view_functions.items()):
        wrapped = view
        for name, methods in _marks(view):
            setting, message = LIMITS[name]
            wrapped = limiter.shared_limit(_configured(setting), scope=name, methods=methods,
                                           error_message=message)(wrapped)
        app.view_functions[endpoint] = wrapped
    return limiter


def _marks(view: Callable) -> list[tuple[str, list[str] | None]]:
    """The marks of a function view, or of each method of a class-based view."""
    found = [(name, list(methods) if methods else None) for name, methods in
             getattr(view, _MARK, ())]
    view_class = getattr(view, "view_class", None)
    for method in sorted(getattr(view_class, "methods", None) or ()):
        handler = getattr(view_class, method.lower(), None)
        found += [(name, list(methods) if methods else [method]) for name, methods in
                  getattr(handler, _MARK, ())]
    return found


def limiter_of(app: Flask) -> Limiter:
    return app.extensions[EXTENSION_KEY]

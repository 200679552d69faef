"""Lockstep: a self-hosted sales content library that shows which content closes deals."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.auth import ratelimit
from app.auth.secret_key import load_or_create_secret_key
from config import CONFIGS

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Room for the multipart envelope and metadata fields around the largest allowed file.
FORM_OVERHEAD_BYTES = 1024 * 1024


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app for `config_name` (default: $LOCKSTEP_ENV or development); `overrides`
    replace settings after the environment is read, which tests use for their own paths."""
    config_name = config_name or os.environ.get("LOCKSTEP_ENV", "development")
    config_class = CONFIGS[config_name]
    app = Flask(__name__)
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.config["SECRET_KEY_FILE"])
    config_class.validate(app.config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + FORM_OVERHEAD_BYTES
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["PROXY_FIX_COUNT"]:
        count = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    from app.core.converters import IdConverter

    app.url_map.converters["id"] = IdConverter
    _init_extensions(app)
    _register_blueprints(app)
    ratelimit.init_app(app)  # wraps the views marked @rate_limited, so after the blueprints
    _register_blob_references(app)
    _connect_areas()
    _register_cli(app)
    from app.core import web

    web.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from flask_talisman import Talisman

    from app.auth import login
    from app.core.db import alembic_render_item
    from app.extensions import csrf, db, migrate
    from app.search import services as search_services
    from app.storage import flask as storage_flask

    db.init_app(app)
    migrations_dir = os.path.join(os.path.dirname(app.root_path), "migrations")
    # Batch mode lets later migrations alter columns on SQLite too.
    migrate.init_app(app, db, directory=migrations_dir, render_as_batch=True,
                     render_item=alembic_render_item)
    csrf.init_app(app)
    login.init_app(app)
    storage_flask.init_app(app)
    search_services.init_app(app)
    from app.share.public import no_referrer_on_viewer

    # Registered before Talisman, so it runs after it: Talisman sets one Referrer-Policy for
    # every response, and the public viewer must send none at all.
    app.after_request(no_referrer_on_viewer)
    app.extensions["talisman"] = Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )


def _register_blueprints(app: Flask) -> None:
    from app.api import init_api
    from app.api.me import blp as me_api
    from app.auth.admin_views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.collections.views import bp as collections_bp
    from app.deals.admin_views import bp as deals_admin_bp
    from app.deals.api import blp as deals_api
    from app.deals.imports_api import blp as deal_imports_api
    from app.deals.views import bp as deals_bp
    from app.forks.api import blp as forks_api
    from app.forks.views import bp as forks_bp
    from app.insights.api import blp as analytics_api
    from app.insights.views import bp as insights_bp
    from app.library.api import blp as assets_api
    from app.library.views import bp as library_bp
    from app.search.api import blp as search_api
    from app.search.views import bp as search_bp
    from app.settings.views import bp as settings_bp
    from app.share.api import blp as share_api
    from app.share.public import bp as viewer_bp
    from app.share.views import bp as share_bp

    for blueprint in (auth_bp, admin_bp, library_bp, search_bp, collections_bp, deals_bp,
                      deals_admin_bp, settings_bp, forks_bp, share_bp, viewer_bp, insights_bp):
        app.register_blueprint(blueprint)
    init_api(app, (me_api, assets_api, search_api, deal_imports_api, deals_api, forks_api,
                   share_api, analytics_api))
    from app.share.queries import unread_count

    # The top bar shows how many notifications are unread (a prospect opened a link).
    app.jinja_env.globals["unread_notifications"] = unread_count


def _connect_areas() -> None:
    """Areas that add to each other's pages or react to each other's changes, wired here so
    neither imports the other."""
    from app.core.extras import provide
    from app.deals.events import (
        on_asset_evidence_changed,
        on_deals_touched,
        on_pipeline_changed,
    )
    from app.deals.extras import (
        open_deals_home,
        use_fork_in_deal,
        use_in_deal,
        use_in_deal_on_hits,
    )
    from app.deals.queries import asset_evidence
    from app.deals.services import register_fork_lookup
    from app.forks import services as fork_services
    from app.forks import sources as fork_sources
    from app.forks.extras import asset_forks
    from app.insights import cache as insights_cache
    from app.insights import progress as insights_progress
    from app.insights.extras import asset_effect
    from app.insights.rollup import refresh_deals_with_usage
    from app.library.services import on_version_added
    from app.search import documents as search_documents
    from app.search import outbox as search_outbox
    from app.share import settings as _share_settings  # noqa: F401 - declares its settings
    from app.share.extras import share_asset, share_fork

    provide("asset_detail", use_in_deal)
    provide("asset_detail", asset_forks)
    provide("fork_detail", use_fork_in_deal)
    provide("asset_detail", share_asset)
    provide("fork_detail", share_fork)
    provide("asset_detail", asset_effect)
    provide("library_home", open_deals_home)
    provide("search_results", use_in_deal_on_hits)
    # Search ranks by deal evidence: deals says when it changed, search re-indexes those assets.
    on_asset_evidence_changed(search_outbox.request_reindex)
    search_documents.provide_evidence(asset_evidence)
    # Insights keeps its influence rollup in step with every deal and usage write.
    on_deals_touched(refresh_deals_with_usage)
    on_deals_touched(insights_progress.refresh_deals)
    on_deals_touched(insights_cache.clear)
    on_pipeline_changed(insights_progress.rebuild)
    on_pipeline_changed(insights_cache.clear)
    # Deals records a fork's use as its source's; forks finds each new version's fields.
    register_fork_lookup(fork_services.usage_content)
    on_version_added(fork_sources.scan)


def _register_blob_references(app: Flask) -> None:
    """Each area that stores blobs tells storage which keys it uses (for `flask storage gc`)."""
    from app.library.queries import referenced_blob_keys
    from app.storage.flask import register_reference_provider

    register_reference_provider(app, referenced_blob_keys)


def _register_cli(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.demo.cli import demo_cli
    from app.forks.cli import forks_cli
    from app.insights.cli import insights_cli
    from app.search.cli import search_cli
    from app.storage.cli import storage_cli

    for group in (users_cli, storage_cli, demo_cli, search_cli, forks_cli, insights_cli):
        app.cli.add_command(group)

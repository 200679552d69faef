"""/api/v1 forks: fork an asset, tailor it, render it, update it from the source, and suggest
it to marketing; /api/v1/suggestions for marketing's answer."""

from __future__ import annotations

from flask import send_file
from flask.views import MethodView

from app.api.base import actor, api_blueprint
from app.forks import queries, rendering, services, sources, suggestions, updates
from app.forks.models import Fork, Suggestion
from app.forks.schemas import (
    ForkInSchema,
    ForkPatchSchema,
    ForkSchema,
    RenderArgsSchema,
    ReplySchema,
    SuggestInSchema,
    SuggestionSchema,
    UpdateInSchema,
    UpdateResultSchema,
)
from app.library.downloads import serves_stored_bytes

blp = api_blueprint("forks_api", __name__, "", "Forks: reps' tailored copies of published "
                                               "assets, and suggestions back to marketing.")
FILE_RESPONSE = {200: {"description": "The tailored file, as an attachment",
                       "content": {"application/octet-stream": {}}}}


def fork_view(fork: Fork, with_diff: bool = True) -> dict:
    """One fork; lists leave out the line counts of a pending source update (each costs
    reading and diffing two versions)."""
    known = sources.fields_of(fork.source_version)
    update = updates.pending_update(fork) if with_diff else None
    current = fork.source_asset.current_version
    return {
        "id": fork.id, "title": fork.title, "account": fork.account, "method": fork.method,
        "owner": fork.owner, "source_asset_id": fork.source_asset_id,
        "source_version": fork.source_version.number,
        "forked_version": fork.forked_version.number, "parent_fork_id": fork.parent_fork_id,
        "source_current_version": current.number if current is not None else None,
        "field_values": {f["name"]: fork.values.get(f["name"]) for f in known.fields},
        "field_list": [{"name": f["name"], "default": f.get("default") or ""}
                       for f in known.fields],
        "slides": fork.slides, "slide_count": known.slide_count, "body": fork.body,
        "cover": fork.cover, "revision": fork.revision,
        "source_update": _source_update(fork, current, update),
        "created_at": fork.created_at, "updated_at": fork.updated_at,
    }


def _source_update(fork: Fork, current, update) -> dict | None:
    if current is None or current.number <= fork.source_version.number:
        return None
    return {"version": current.number, "added_lines": update.added if update else None,
            "removed_lines": update.removed if update else None}


def suggestion_view(suggestion: Suggestion) -> dict:
    result = suggestion.result_version_id
    return {"id": suggestion.id, "fork_id": suggestion.fork_id,
            "asset_id": suggestion.fork.source_asset_id, "author": suggestion.author,
            "comment": suggestion.comment, "status": suggestion.status,
            "reply": suggestion.reply, "created_at": suggestion.created_at,
            "decided_at": suggestion.decided_at,
            "result_version": _version_number(result) if result else None}


def _version_number(version_id: int) -> int:
    from app.extensions import db
    from app.library.models import AssetVersion

    return db.session.get(AssetVersion, version_id).number


def _changes(args: dict) -> dict:
    renamed = dict(args)
    if "field_values" in renamed:
        renamed["fields"] = renamed.pop("field_values")
    return renamed


@blp.route("/assets/<id:asset_id>/forks")
class AssetForks(MethodView):
    @blp.response(200, ForkSchema(many=True))
    def get(self, asset_id):
        """Every fork of the asset (marketers, leaders and admins)."""
        return [fork_view(f, with_diff=False) for f in queries.forks_of_asset(actor(), asset_id)]

    @blp.arguments(ForkInSchema)
    @blp.response(201, ForkSchema)
    def post(self, args, asset_id):
        """Fork a published asset's current version (or, with `parent_fork_id`, a fork)."""
        changes = _changes(args)
        parent = changes.pop("parent_fork_id", None)
        fork = services.create_fork(actor(), asset_id=asset_id, parent_fork_id=parent, **changes)
        return fork_view(fork)


@blp.route("/forks")
@blp.response(200, ForkSchema(many=True))
def my_forks():
    """The caller's own forks, most recently changed first."""
    return [fork_view(f, with_diff=False) for f in queries.my_forks(actor())]


@blp.route("/forks/<id:fork_id>")
class ForkById(MethodView):
    @blp.response(200, ForkSchema)
    def get(self, fork_id):
        """One fork: its owner, marketers, leaders and admins; anyone else gets 404."""
        return fork_view(services.get_fork(actor(), fork_id))

    @blp.arguments(ForkPatchSchema)
    @blp.response(200, ForkSchema)
    def patch(self, args, fork_id):
        """Tailor the fork (its owner)."""
        changes = _changes(args)
        revision = changes.pop("revision", None)
        return fork_view(services.update_fork(actor(), fork_id, changes, revision))


@blp.route("/forks/<id:fork_id>/render")
@serves_stored_bytes
@blp.arguments(RenderArgsSchema, location="query")
@blp.doc(responses=FILE_RESPONSE)
def render(args, fork_id):
    """The tailored file as an attachment; Markdown forks also as sanitized HTML."""
    rendered = rendering.render(services.get_fork(actor(), fork_id), args["format"])
    return send_file(rendered.stream, mimetype="application/octet-stream", as_attachment=True,
                     download_name=rendered.filename, max_age=0)


@blp.route("/forks/<id:fork_id>/update-from-source", methods=["POST"])
@blp.arguments(UpdateInSchema, required=False)
@blp.response(200, UpdateResultSchema)
def update_from_source(args, fork_id):
    """Carry the fork onto the source's latest version. Text edits that overlap the source's
    changes answer 409 with `error.details.conflicts`; send `resolutions` to settle them."""
    outcome = updates.update_from_source(actor(), fork_id, args.get("resolutions"),
                                         args.get("revision"))
    return {"fork": fork_view(outcome.fork), "notes": outcome.notes}


@blp.route("/forks/<id:fork_id>/suggest", methods=["POST"])
@blp.arguments(SuggestInSchema)
@blp.response(201, SuggestionSchema)
def suggest(args, fork_id):
    """Offer the fork's edits to marketing, with a comment."""
    return suggestion_view(suggestions.suggest(actor(), fork_id, args["comment"]))


@blp.route("/suggestions")
@blp.response(200, SuggestionSchema(many=True))
def pending_suggestions():
    """Suggestions waiting on the caller's assets (marketers; admins see all)."""
    return [suggestion_view(s) for s in queries.suggestions_for_marketing(actor())]


@blp.route("/suggestions/<id:suggestion_id>/accept", methods=["POST"])
@blp.arguments(ReplySchema, required=False)
@blp.response(200, SuggestionSchema)
def accept(args, suggestion_id):
    """Make the suggestion the asset's next version, credited to the rep (owner or admin)."""
    return suggestion_view(suggestions.accept(actor(), suggestion_id, args.get("reply", "")))


@blp.route("/suggestions/<id:suggestion_id>/decline", methods=["POST"])
@blp.arguments(ReplySchema)
@blp.response(200, SuggestionSchema)
def decline(args, suggestion_id):
    """Decline the suggestion with a reply the rep sees (owner or admin)."""
    return suggestion_view(suggestions.decline(actor(), suggestion_id, args.get("reply")))

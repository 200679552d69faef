"""/api/v1/share-links: create, read, change and revoke tracked links; their visits."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from app.api.base import actor, api_blueprint
from app.share import links, queries
from app.share.models import ShareLink
from app.share.schemas import LinkInSchema, LinkOptionsSchema, LinkSchema, ViewsSchema

blp = api_blueprint("share_api", __name__, "/share-links",
                    "Share links: tracked links and deal rooms for prospects, and their visits.")


def link_view(link: ShareLink) -> dict:
    shown = {item.id for item in links.shown_items(link)}
    return {
        "id": link.id, "url": url_for("viewer.open_link", token=link.token, _external=True),
        "state": links.link_state(link), "owner": link.owner, "deal_id": link.deal_id,
        "title": link.title, "message": link.message, "room": link.is_room,
        "expires_at": link.expires_at, "require_email": link.require_email,
        "verify_email": link.verify_email, "allow_download": link.allow_download,
        "has_password": link.password_hash is not None,
        "allowed_domains": link.allowed_domains, "anonymous": link.anonymous,
        "items": [{"id": i.id, "position": i.position, "asset_id": i.asset_id,
                   "fork_id": i.fork_id, "title": i.asset.title, "shown": i.id in shown}
                  for i in link.items],
        "created_at": link.created_at, "revoked_at": link.revoked_at,
    }


@blp.route("")
class Links(MethodView):
    @blp.response(200, LinkSchema(many=True))
    def get(self):
        """The caller's own links, newest first."""
        return [link_view(link) for link in queries.my_links(actor())]

    @blp.arguments(LinkInSchema)
    @blp.response(201, LinkSchema)
    def post(self, args):
        """A link to the assets and forks given (assets first, in order); several make a deal
        room. Only published assets and your own forks can be shared."""
        asset_ids, fork_ids = args.pop("asset_ids", []), args.pop("fork_ids", [])
        return link_view(links.create_link(actor(), asset_ids=asset_ids, fork_ids=fork_ids,
                                           **args))


@blp.route("/<id:link_id>")
class LinkById(MethodView):
    @blp.response(200, LinkSchema)
    def get(self, link_id):
        """One link (its owner and admins; anyone else gets 404)."""
        return link_view(links.get_link(actor(), link_id))

    @blp.arguments(LinkOptionsSchema)
    @blp.response(200, LinkSchema)
    def patch(self, args, link_id):
        """Change the link's options."""
        return link_view(links.update_link(actor(), link_id, args))

    @blp.response(200, LinkSchema)
    def delete(self, link_id):
        """Revoke the link: it answers 410 from now on (re-activate it from its page)."""
        return link_view(links.revoke_link(actor(), link_id))


@blp.route("/<id:link_id>/views")
@blp.response(200, ViewsSchema)
def views(link_id):
    """Every visit of the link, newest first; staff and bot visits are flagged and not counted
    in `prospect_visits` or `viewers`."""
    link = links.get_link(actor(), link_id)
    report = queries.link_report(link)
    room = len(link.items) > 1
    return {"visits": report.visits, "prospect_visits": report.prospect_visits,
            "viewers": report.viewers, "items": [{
                "visit_id": row.visit.id, "started_at": row.visit.started_at,
                "viewer_email": row.visit.viewer_email,
                "email_verified": row.visit.email_verified, "device": row.visit.device,
                "location": row.visit.location, "seconds": round(row.visit.seconds, 1),
                "completion": row.completion,
                "pages": {(f"{item}:{page}" if room else str(page)): round(s, 1)
                          for item, pages in row.pages.items() for page, s in pages.items()},
                "downloaded": row.visit.downloads, "staff": row.visit.staff,
                "bot": row.visit.bot} for row in report.rows]}

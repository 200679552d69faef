"""GET /api/v1/search."""

from app.api.base import actor, api_blueprint
from app.search import queries, searchlog
from app.search.engine import FACETS
from app.search.schemas import SearchArgsSchema, SearchResultSchema

blp = api_blueprint("search_api", __name__, "/search", "Full-text search over the library.")


@blp.route("")
@blp.arguments(SearchArgsSchema, location="query")
@blp.response(200, SearchResultSchema)
def search(args):
    """Search what the caller may see; facets count the whole result set."""
    filters = {name: args[name] for name in FACETS if args.get(name)}
    page = queries.run_search(actor(), args["q"], filters, args["sort"], args["page"],
                              args["per_page"])
    response = page.response
    return {
        "search_id": searchlog.record_search(actor(), page.request, response.total),
        "total": response.total, "page": page.request.page, "per_page": page.request.per_page,
        "results": [{"id": h.asset_id, "title": h.title, "kind": h.kind, "stage": h.stage,
                     "score": h.score, "updated_at": h.updated_at, "highlights": h.highlights,
                     "used_deals": h.used_deals, "won_deals": h.won_deals}
                    for h in response.hits],
        "facets": {name: [{"value": v, "count": c} for v, c in values]
                   for name, values in response.facets.items()},
        "suggestion": response.suggestion, "message": response.message,
    }

"""The search page, as-you-type suggestions, result click-through and the search insights page."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.collections.queries import collections_matching
from app.core.extras import extras_for
from app.core.permissions import Role, role_required
from app.core.timeutil import today
from app.library import queries as library_queries
from app.search import insights as search_insights
from app.search import queries, searchlog
from app.search.params import params_from_args

bp = Blueprint("search", __name__)
PER_PAGE = 20


def _me():
    return current_user._get_current_object()


@bp.get("/search")
@role_required()
def search():
    params = params_from_args(request.args)
    if not params.text and not params.filters:
        return render_template("search/empty.html", params=params,
                               **search_insights.discovery_lists(_me()))
    page = queries.run_search(_me(), params.text, params.filters, params.sort, params.page,
                              PER_PAGE)
    search_id = searchlog.record_search(_me(), page.request, page.response.total)
    extras = extras_for("search_results", actor=_me())
    return render_template("search/results.html", params=params, page=page,
                           labels=_display_labels(),
                           search_id=search_id, per_page=PER_PAGE,
                           collections=collections_matching(_me(), params.text),
                           hit_panels=extras.pop("panels"), **extras)


@bp.get("/search/suggest")
@role_required()
def suggest():
    """Results as you type. Not logged: half-typed words are not searches."""
    params = params_from_args(request.args)
    if len(params.text.strip()) < 2:
        return jsonify({"results": []})
    page = queries.run_search(_me(), params.text, params.filters, "relevance", 1, 6,
                              highlights=False)
    results = [{"id": hit.asset_id, "title": hit.title, "kind": hit.kind, "stage": hit.stage,
                "url": url_for("library.detail", asset_id=hit.asset_id)}
               for hit in page.response.hits]
    return jsonify({"results": results, "total": page.response.total,
                    "suggestion": page.response.suggestion})


@bp.get("/search/<id:search_id>/open/<id:asset_id>")
@role_required()
def open_result(search_id: int, asset_id: int):
    position = request.args.get("pos", "0")
    searchlog.record_click(_me(), search_id, asset_id, int(position) if position.isdigit() else 0)
    return redirect(url_for("library.detail", asset_id=asset_id))


@bp.get("/search/insights")
@role_required(Role.MARKETER, Role.ADMIN)
def insights():
    start, end = _date_range(request.args)
    return render_template("search/insights.html", start=start, end=end,
                           top=search_insights.top_queries(start, end),
                           gaps=search_insights.content_gaps(start, end),
                           ignored=search_insights.ignored_queries(start, end))


def _display_labels() -> dict[str, str]:
    """The index keeps facet values lower-cased; show them as the marketers wrote them."""
    values = library_queries.label_values(_me())
    return {v.lower(): v for name in ("persona", "industry", "product") for v in values[name]}


def _date_range(args) -> tuple[date, date]:
    end, start = today(), today() - timedelta(days=29)
    try:
        end = date.fromisoformat(args.get("end", "")) if args.get("end") else end
        start = date.fromisoformat(args.get("start", "")) if args.get("start") else start
    except ValueError:
        pass
    return (start, end) if start <= end else (end, start)

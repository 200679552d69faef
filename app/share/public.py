"""The public viewer at /s/<token>: no login, its own gate, its own short-lived content URLs.

Every response here says `Referrer-Policy: no-referrer` (the token must not leak to sites the
content links to) and `X-Robots-Tag: noindex`. Which link, item and visit a content URL is for
is sealed in a signed, timestamped ticket, so no asset id appears and a copied URL dies soon.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.core.errors import ServiceError
from app.extensions import csrf, db, talisman
from app.library.downloads import FILE_CSP, stream_blob
from app.share import content, links, tokens, tracking, viewer
from app.share.models import ShareLink, ShareVisit
from app.storage import content_disposition

bp = Blueprint("viewer", __name__)
public_bytes = talisman(content_security_policy=FILE_CSP)
MAX_BEACON_BYTES = 16 * 1024
SESSION_KEY = "share"
MAX_PASSES = 20
GONE = {"revoked": "This link has been turned off by its sender.",
        "expired": "This link has expired.",
        "gone": "What this link pointed to is no longer available."}


def no_referrer_on_viewer(response: Response) -> Response:
    """App-wide after-request hook (see create_app): the token must not leak in a Referer."""
    if request.blueprint == bp.name:
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.after_request
def _no_index(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = response.headers.get("Cache-Control") or "no-store"
    return response


def _viewer() -> viewer.Viewer:
    headers = request.headers
    return viewer.Viewer(
        user_agent=(headers.get("User-Agent") or "")[:1000],
        address=request.remote_addr, accept_language=(headers.get("Accept-Language") or "")[:200],
        do_not_track=headers.get("DNT") == "1" or headers.get("Sec-GPC") == "1",
        staff_user_id=current_user.id if current_user.is_authenticated else None)


def _passes() -> dict:
    passes = session.get(SESSION_KEY)
    return passes if isinstance(passes, dict) else {}


def _pass_of(link: ShareLink) -> dict | None:
    held = _passes().get(str(link.id))
    if not isinstance(held, dict) or held.get("stamp") != viewer.gate_stamp(link):
        return None
    return held


def _keep_pass(link: ShareLink, **values) -> None:
    passes = {k: v for k, v in _passes().items() if k != str(link.id)}
    passes = dict(list(passes.items())[-(MAX_PASSES - 1):])
    passes[str(link.id)] = {"stamp": viewer.gate_stamp(link), **values}
    session[SESSION_KEY] = passes


def _page(template: str, status: int = 200, **context):
    return render_template(f"share/{template}", **context), status


def _active_link(token: str):
    """The link, or the page to answer instead (404 unknown, 410 no longer shown)."""
    link = viewer.find_link(token)
    if link is None:
        return None, _page("unavailable.html", 404, message="There is no such link.")
    state = links.link_state(link)
    if state != "active":
        return None, _page("unavailable.html", 410, message=GONE[state])
    return link, None


def _needs_gate(link: ShareLink) -> bool:
    return link.password_hash is not None or link.require_email


@bp.get("/s/<token>")
def open_link(token: str):
    link, refusal = _active_link(token)
    if refusal:
        return refusal
    who = _viewer()
    from app.share.devices import is_link_preview_bot

    try:
        if is_link_preview_bot(who.user_agent):
            viewer.open_visit(link, who)
            return _page("preview.html")
        held = _pass_of(link)
        if _needs_gate(link) and not (held and held.get("passed")):
            return _gate(link, pending=held)
        held = held or {}
        visit = viewer.open_visit(link, who, email=held.get("email"),
                                  verified=bool(held.get("verified")),
                                  known_visit_id=held.get("visit"))
    except ServiceError as exc:
        db.session.rollback()
        return _page("unavailable.html", exc.status, message=exc.message)
    _keep_pass(link, **{**held, "passed": True, "visit": visit.id})
    return _viewer_page(link, visit)


def _gate(link: ShareLink, pending: dict | None = None, error: str = "", status: int = 200,
          email: str = ""):
    asking_code = bool(pending and pending.get("code_sent"))
    return _page("gate.html", status, link=link, error=error, asking_code=asking_code,
                 email=email or (pending or {}).get("email", ""), token=link.token,
                 anonymous=viewer.is_anonymous(link, _viewer()))


@bp.post("/s/<token>")
def pass_gate(token: str):
    link, refusal = _active_link(token)
    if refusal:
        return refusal
    form = request.form
    email = None
    held = _pass_of(link) or {}
    try:
        if not held.get("password_ok"):  # asking for a new code does not ask it again
            viewer.check_password(link, form.get("password", ""), _viewer())
        if link.require_email:
            email = viewer.check_email(link, form.get("email", ""))
        if link.verify_email:
            viewer.send_code(link, email, _viewer())
            _keep_pass(link, email=email, code_sent=True, password_ok=True)
            return redirect(url_for(".open_link", token=token), 303)
    except ServiceError as exc:
        db.session.rollback()
        return _gate(link, error=exc.message, status=exc.status,
                     email=(form.get("email") or "")[:254])
    _keep_pass(link, email=email, passed=True, verified=False)
    return redirect(url_for(".open_link", token=token), 303)


@bp.post("/s/<token>/code")
def check_code(token: str):
    link, refusal = _active_link(token)
    if refusal:
        return refusal
    held = _pass_of(link)
    if not held or not held.get("code_sent"):
        return redirect(url_for(".open_link", token=token), 303)
    try:
        viewer.verify_code(link, held["email"], request.form.get("code", ""))
    except ServiceError as exc:
        db.session.rollback()
        return _gate(link, pending=held, error=exc.message, status=exc.status)
    _keep_pass(link, email=held["email"], passed=True, verified=True)
    return redirect(url_for(".open_link", token=token), 303)


def _viewer_page(link: ShareLink, visit: ShareVisit):
    shown = []
    for item in links.shown_items(link):
        view = content.present(item)
        inline = None if view.show in ("html", "file") else url_for(
            ".item_bytes", token=link.token,
            ticket=tokens.content_ticket(link.id, item.id, visit.id, "inline"))
        download = url_for(".item_download", token=link.token,
                           ticket=tokens.content_ticket(link.id, item.id, visit.id, "download")
                           ) if link.allow_download else None
        shown.append({"view": view, "inline": inline, "download": download})
    return _page("viewer.html", link=link, items=shown, visit_key=tokens.visit_key(visit.id),
                 beacon_url=url_for(".beacon", token=link.token),
                 anonymous=visit.anonymous, owner=link.owner)


def _ticket_item(token: str, ticket: str, purpose: str):
    link = viewer.find_link(token)
    found = tokens.read_ticket(ticket, purpose)
    if link is None or found is None or found[0] != link.id or \
            links.link_state(link) != "active":
        return None
    _, item_id, visit_id = found
    item = next((i for i in links.shown_items(link) if i.id == item_id), None)
    visit = db.session.get(ShareVisit, visit_id)
    if item is None or visit is None or visit.link_id != link.id:
        return None
    return link, item, visit


def _expired_url():
    return Response("This address has expired. Open the link again.", 410,
                    content_type="text/plain; charset=utf-8")


@bp.get("/s/<token>/c/<ticket>")
@public_bytes
def item_bytes(token: str, ticket: str):
    found = _ticket_item(token, ticket, "inline")
    if found is None:
        return _expired_url()
    link, item, visit = found
    try:
        blob = content.inline_blob(item, tracking.watermark_text(link, visit))
    except ServiceError as exc:
        return Response(exc.message, exc.status, content_type="text/plain; charset=utf-8")
    return _send(blob, None)


@bp.get("/s/<token>/d/<ticket>")
@public_bytes
def item_download(token: str, ticket: str):
    found = _ticket_item(token, ticket, "download")
    if found is None or not found[0].allow_download:
        return _expired_url()
    link, item, visit = found
    try:
        blob = content.download_blob(item, tracking.watermark_text(link, visit))
    except ServiceError as exc:
        return Response(exc.message, exc.status, content_type="text/plain; charset=utf-8")
    tracking.record_download(link, visit, item)
    return _send(blob, content_disposition(blob.filename, False))


def _send(blob: content.Blob, disposition: str | None) -> Response:
    from app.storage.flask import get_storage

    content_type = blob.content_type if disposition is None else "application/octet-stream"
    if disposition and blob.content_type == "application/pdf":
        content_type = "application/pdf"
    if blob.stream is not None:
        from app.library.downloads import ClosingFileWrapper

        response = Response(ClosingFileWrapper(blob.stream), content_type=content_type,
                            direct_passthrough=True)
        if disposition:
            response.headers["Content-Disposition"] = disposition
        if blob.size:
            response.headers["Content-Length"] = str(blob.size)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    response = stream_blob(get_storage(), blob.key, content_type, disposition, blob.size,
                           etag=blob.etag)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/s/<token>/beacon")
@csrf.exempt
@public_bytes
def beacon(token: str):
    """Seconds per page from the viewer's script (fetch with keepalive, or sendBeacon when the
    tab closes). The body is JSON whatever its Content-Type, since sendBeacon sends text."""
    link = viewer.find_link(token)
    if link is None:
        return _json_error(404, "not_found", "There is no such link.")
    if links.link_state(link) != "active":
        return _json_error(410, "gone", "This link is no longer active.")
    if (request.content_length or 0) > MAX_BEACON_BYTES:
        return _json_error(413, "payload_too_large", "A beacon is small.")
    raw = request.get_data(cache=False)[:MAX_BEACON_BYTES + 1]
    if len(raw) > MAX_BEACON_BYTES:
        return _json_error(413, "payload_too_large", "A beacon is small.")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _json_error(400, "bad_request", "A beacon is a JSON object.")
    if not isinstance(body, dict):
        return _json_error(400, "bad_request", "A beacon is a JSON object.")
    try:
        accepted = tracking.record_beacon(link, body.get("v"), body.get("t", []), body.get("tz"),
                                          request.headers.get("Accept-Language", "")[:200])
    except ServiceError as exc:
        db.session.rollback()
        return _json_error(exc.status, exc.code, exc.message)
    return jsonify({"accepted": round(accepted, 3)})


def _json_error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message, "details": {}}}), status



"""Search end to end: every change reaches the index, permissions hold, the outbox survives
crashes, the log feeds the insights page, and no query breaks the page."""

import shutil
from pathlib import Path

import pytest
from helpers import login, multipart, upload_asset

from app.extensions import db


def md(*lines: str) -> bytes:
    return ("\n\n".join(lines) + "\n").encode()


def search(client, headers, q, **params):
    response = client.get("/api/v1/search", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(result):
    return [hit["id"] for hit in result["results"]]


def create(client, headers, text, name="note.md", **fields):
    response = upload_asset(client, headers, text, name, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_upload_is_searchable_at_once_with_highlights(client, marketer):
    asset = create(client, marketer, md("# Hospital rollout", "Our zyxwarehouse cut month-end "
                                         "close <b>from</b> nine days to four."),
                   status="published", title="Healthcare case study", stage="evaluation")
    result = search(client, marketer, "zyxwarehouse")
    assert ids(result) == [asset] and result["total"] == 1
    snippet = " ".join(result["results"][0]["highlights"])
    assert "<mark>zyxwarehouse</mark>" in snippet.lower()
    assert "<b>" not in snippet  # the document's markup is escaped, only the match is marked
    assert result["facets"]["stage"] == [{"value": "evaluation", "count": 1}]


def test_reps_never_see_drafts_or_archived_in_results_facets_or_counts(client, marketer, rep):
    published = create(client, marketer, md("quokka pricing sheet"), status="published",
                       stage="proposal")
    create(client, marketer, md("quokka draft pricing"), status="draft", stage="closing")
    archived = create(client, marketer, md("quokka old pricing"), status="published")
    client.delete(f"/api/v1/assets/{archived}", headers=marketer)
    for_rep = search(client, rep, "quokka")
    assert ids(for_rep) == [published] and for_rep["total"] == 1
    assert for_rep["facets"]["stage"] == [{"value": "proposal", "count": 1}]
    assert search(client, marketer, "quokka")["total"] == 3


def test_edits_versions_restores_and_archiving_reach_the_index(client, marketer, rep):
    asset = create(client, marketer, md("the wombatology primer"), status="published",
                   title="Original title")
    client.patch(f"/api/v1/assets/{asset}", json={"title": "Platypus battlecard"},
                 headers=marketer)
    assert ids(search(client, rep, "platypus")) == [asset]
    client.post(f"/api/v1/assets/{asset}/versions", headers=marketer,
                **multipart({"file": (md("now about echidnas only"), "v2.md")}))
    assert ids(search(client, rep, "echidnas")) == [asset]
    assert search(client, rep, "wombatology")["total"] == 0
    client.post(f"/api/v1/assets/{asset}/versions/1/restore", headers=marketer)
    assert ids(search(client, rep, "wombatology")) == [asset]
    client.delete(f"/api/v1/assets/{asset}", headers=marketer)
    assert search(client, rep, "wombatology")["total"] == 0


def test_a_crash_between_commit_and_index_loses_nothing(app, client, marketer, monkeypatch):
    from app.search import sync
    from app.search.models import SearchOutbox

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed before the index was written")

    monkeypatch.setattr(sync, "sync_outbox", crash)
    asset = create(client, marketer, md("narwhal procurement guide"), status="published")
    monkeypatch.undo()
    sync._retry.cancel()  # a killed worker does not retry either
    pending = SearchOutbox.applied_at.is_(None)
    with app.app_context():
        assert db.session.query(SearchOutbox).filter(pending).filter_by(asset_id=asset).count()
    result = app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "applied 1" in result.output
    with app.app_context():
        assert db.session.query(SearchOutbox).filter(pending).count() == 0
    assert ids(search(client, marketer, "narwhal")) == [asset]


def test_search_catches_up_with_pending_changes_itself(app, client, marketer, monkeypatch):
    from app.search import sync

    real_sync = sync.sync_outbox
    monkeypatch.setattr(sync, "sync_outbox", lambda *a, **k: 0)
    asset = create(client, marketer, md("axolotl onboarding deck"), status="published")
    monkeypatch.setattr(sync, "sync_outbox", real_sync)
    assert ids(search(client, marketer, "axolotl")) == [asset]


def test_reindex_rebuilds_everything(app, client, marketer):
    first = create(client, marketer, md("capybara security questionnaire"), status="published")
    second = create(client, marketer, md("capybara soc2 report"), status="published")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "indexed 2 assets" in result.output
    assert sorted(ids(search(client, marketer, "capybara"))) == sorted([first, second])


def test_missing_or_corrupt_index_is_rebuilt_not_a_500(app, client, marketer):
    from app.search import lifecycle

    asset = create(client, marketer, md("pangolin roi calculator"), status="published")
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(index_dir)
    index_dir.mkdir()
    (index_dir / "CURRENT").write_text("../../../../etc\x00garbage")
    (index_dir / "_MAIN_1.toc").write_bytes(b"\x00not an index")
    app.extensions[lifecycle.EXTENSION_KEY].close()
    app.extensions[lifecycle.EXTENSION_KEY] = None  # as a freshly started worker would be
    first = client.get("/api/v1/search", query_string={"q": "pangolin"}, headers=marketer)
    assert first.status_code == 200
    lifecycle._rebuild_lock.acquire(timeout=30)  # wait for the background rebuild
    lifecycle._rebuild_lock.release()
    assert ids(search(client, marketer, "pangolin")) == [asset]


HOSTILE = ['"unbalanced', "(open", "close)", "*", "stage:", ":", "unknown:field", "a\x00b",
           "x" * 10_000, "-only -excluded", "the and of", "'; DROP TABLE asset; --",
           "<script>alert(1)</script>", "title:", "\\", "AND OR NOT"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_500(client, marketer, login_as, query):
    create(client, marketer, md("ordinary content about pricing"), status="published")
    response = client.get("/api/v1/search", query_string={"q": query}, headers=marketer)
    assert response.status_code in (200, 422)
    login_as("rep")
    page = client.get("/search", query_string={"q": query})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    assert client.get("/search/suggest", query_string={"q": query}).status_code == 200


def test_undecodable_query_bytes(client, marketer):
    response = client.get("/api/v1/search?q=%ff%fe%00pricing", headers=marketer)
    assert response.status_code in (200, 422)


def test_typo_finds_the_asset_and_offers_a_suggestion(client, marketer):
    asset = create(client, marketer, md("A healthcare evaluation guide for hospitals."),
                   status="published", industry="Healthcare")
    assert asset in ids(search(client, marketer, "helthcare"))
    assert search(client, marketer, "helthcare")["suggestion"] == "healthcare"


def test_filters_and_bad_filter_values(client, marketer):
    create(client, marketer, md("gecko one-pager"), status="published", stage="awareness")
    kept = create(client, marketer, md("gecko proposal"), status="published", stage="proposal")
    assert ids(search(client, marketer, "gecko", stage="proposal")) == [kept]
    both = search(client, marketer, "gecko", stage=["proposal", "awareness"])
    assert both["total"] == 2
    bad = client.get("/api/v1/search", query_string={"q": "gecko", "sort": "random",
                                                     "per_page": 500}, headers=marketer)
    assert bad.status_code == 422


def test_search_log_clicks_and_insights(app, client, marketer, make_user):
    asset = create(client, marketer, md("lynx integration notes"), status="published")
    rep_user = make_user("rep")
    login(client, rep_user.email)
    page = client.get("/search?q=lynx")
    assert page.status_code == 200
    client.get("/search?q=nothing+matches+this")
    client.get("/search?q=nothing+matches+this")
    client.get("/search?q=Lynx")
    from app.search.models import SearchLog

    with app.app_context():
        logs = db.session.query(SearchLog).order_by(SearchLog.id).all()
        # The same query again within minutes is the same search (app.search.searchlog).
        assert [(log.query_key, log.result_count, log.role) for log in logs] == [
            ("lynx", 1, "rep"), ("nothing matches this", 0, "rep")]
        first = logs[0].id
    opened = client.get(f"/search/{first}/open/{asset}?pos=0")
    assert opened.status_code == 302 and opened.headers["Location"] == f"/assets/{asset}"
    assert client.get(f"/search/{first + 99}/open/{asset}").status_code == 404
    draft = create(client, marketer, md("lynx draft"), status="draft")
    assert client.get(f"/search/{first}/open/{draft}").status_code == 404
    assert client.get("/search/insights").status_code == 403

    marketer_user = make_user("marketer")
    marketing = app.test_client()
    login(marketing, marketer_user.email)
    html = marketing.get("/search/insights").get_data(as_text=True)
    # Hand-counted: "lynx" searched once by one person, 1 result, opened once; the gap query
    # searched once, 0 results, never opened. Columns: searches, people, results, opened.
    lynx_row = "lynx</a></td><td>1</td><td>1</td><td>1</td><td>1</td>"
    gap_row = "nothing matches this</a></td><td>1</td><td>1</td><td>0</td><td>0</td>"
    gaps = html.split("Content gaps")[1].split("Results nobody opened")[0]
    assert gap_row in gaps and "lynx" not in gaps
    ignored = html.split("Results nobody opened")[1].split("Top searches")[0]
    assert "lynx" not in ignored and "nothing matches" not in ignored
    top = html.split("Top searches")[1]
    assert lynx_row in top and gap_row in top
    assert top.index("lynx") < top.index("nothing matches this")  # tie broken by name


def test_collections_curated_and_shown_in_results(client, marketer, login_as, make_user, app):
    from helpers import csrf_token

    published = create(client, marketer, md("bison hospital kit"), status="published")
    draft = create(client, marketer, md("bison draft"), status="draft")
    login_as("admin")
    token = csrf_token(client)
    created = client.post("/collections", data={"title": "Healthcare evaluation kit",
                                                "description": "Bison material for hospitals",
                                                "featured": "y", "status": "published",
                                                "csrf_token": token})
    assert created.status_code == 302
    url = created.headers["Location"]
    for asset in (published, draft):
        client.post(url + "/items", data={"asset_id": f"http://x/assets/{asset}",
                                          "csrf_token": token})
    client.post(url + f"/items/{draft}/up", data={"csrf_token": token})
    admin_view = client.get(url).get_data(as_text=True)
    assert admin_view.index(f"/assets/{draft}") < admin_view.index(f"/assets/{published}")

    reader = app.test_client()
    login(reader, make_user("rep").email)
    detail = reader.get(url).get_data(as_text=True)
    assert f"/assets/{published}" in detail and f"/assets/{draft}" not in detail
    results = reader.get("/search?q=healthcare+kit").get_data(as_text=True)
    assert "Collection: Healthcare evaluation kit" in results
    assert reader.post(url + "/delete", data={"csrf_token": csrf_token(reader)}).status_code == 403


def test_featured_collections_on_the_home_page(app, client, login_as, make_user):
    from app.auth.models import User
    from app.collections import services as collection_services

    curator = make_user("marketer")
    with app.app_context():
        owner = db.session.get(User, curator.id)
        collection_services.create_collection(owner, "Competitive: vendor X", featured=True,
                                              status="published")
        collection_services.create_collection(owner, "Internal drafts", featured=False,
                                              status="published")
    login_as("rep")
    home = client.get("/").get_data(as_text=True)
    assert "Competitive: vendor X" in home and "Internal drafts" not in home
    filtered = client.get("/?stage=closing").get_data(as_text=True)
    assert "Competitive: vendor X" not in filtered  # a filtered list is not the home page


def test_changes_applied_during_a_rebuild_survive_the_swap(app, client, marketer, monkeypatch):
    """A change synced into the old index while a rebuild reads the database must not be lost
    when the new index is swapped in."""
    from app.search import lifecycle

    asset = create(client, marketer, md("original ocelot text"), status="published")
    with app.app_context():
        search_engine = lifecycle.get_engine()
        original = search_engine.rebuild

        def rebuild_with_concurrent_edit(docs, procs=1, catch_up=None):
            materialised = list(docs)  # the rebuild has read the database...
            other = app.test_client()  # ...then someone renames the asset and it is synced
            other.patch(f"/api/v1/assets/{asset}", json={"title": "Renamed jaguar"},
                        headers=marketer)
            original(materialised, procs=procs, catch_up=catch_up)

        monkeypatch.setattr(search_engine, "rebuild", rebuild_with_concurrent_edit)
        lifecycle.reindex(procs=1)
    assert ids(search(client, marketer, "jaguar")) == [asset]


def test_logged_queries_keep_no_nul_or_control_characters(app, client, marketer):
    """PostgreSQL refuses NUL in text: the log stores a cleaned copy instead of failing."""
    from app.search.models import SearchLog

    search(client, marketer, "price\x00list\x07", tag="a\x00b")
    with app.app_context():
        entry = db.session.query(SearchLog).one()
        assert entry.query == "price list " and entry.query_key == "price list"
        assert entry.filters == {"tag": ["a b"]}


def test_sort_forms_carry_the_whole_query(client, marketer, login_as):
    create(client, marketer, md("heron pricing"), status="published", stage="proposal")
    login_as("marketer")
    results = client.get("/search?q=heron&stage=proposal&stage=closing&sort=newest")
    html = results.get_data(as_text=True)
    for hidden in ('name="q" value="heron"', 'name="stage" value="proposal"',
                   'name="stage" value="closing"'):
        assert f'<input type="hidden" {hidden}>' in html
    library = client.get("/?stage=proposal&tag=x&page=2&sort=title").get_data(as_text=True)
    assert '<input type="hidden" name="stage" value="proposal">' in library
    assert '<input type="hidden" name="tag" value="x">' in library
    assert 'name="page"' not in library.split('class="sort"')[1].split("</form>")[0]

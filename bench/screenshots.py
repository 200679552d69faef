"""Screenshots for the README, taken in headless Chromium against a demo library.

    .venv/bin/python bench/screenshots.py [--out docs/screenshots]

Builds the app on a throwaway SQLite database (schema from the migrations, as `flask db upgrade`
would), seeds the demo library with `seed_demo`, adds a version history to one asset, serves it
on 127.0.0.1 and writes library.png, asset.png, upload.png, versions.png, fork.png (a rep
tailoring an e-mail template), suggestions.png (marketing's queue), share-link.png (a rep's
tracked link after three prospect visits), insights.png and insights-asset.png (the leader's
content-effectiveness dashboard and one asset in depth) at 1280x800, and share-viewer.png
(what the prospect sees, on a phone-sized screen).
Needs Debian's chromium at /usr/bin/chromium (apt-get install chromium).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/126.0 Mobile Safari/537.36")
SEED = 2026
VERSIONED_TITLE = "Northwind Platform Overview"
DETAIL_TITLE = "Northwind Cloud Datasheet"
FORKED_TITLE = "Discovery Recap Email"
UPLOAD_FILES = ("email-discovery-recap.md", "cfo-roi-walkthrough.pptx",
                "platform-architecture-diagram.png", "roi-calculator.xlsx")


def build_app(workdir: Path):
    from app import create_app

    return create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'docs.db'}",
        "STORAGE_LOCAL_ROOT": str(workdir / "blobs"),
        "UPLOAD_TMP_DIR": str(workdir / "tmp"),
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "MAX_UPLOAD_BYTES": 1024 * 1024 * 1024,  # what a real install shows on the upload page
    })


def seed(app, files: Path, later: Path) -> dict[str, int]:
    """Migrate, load the demo library and give one asset a few versions; returns asset ids."""
    import flask_migrate
    from sqlalchemy import select

    from app.auth.services import find_user_by_email
    from app.demo.seed import DEMO_USERS, seed_demo
    from app.extensions import db
    from app.library import services
    from app.library.models import Asset

    with app.app_context():
        flask_migrate.upgrade(directory=str(REPO_ROOT / "migrations"))
        count = seed_demo(SEED)
        marketer = find_user_by_email(DEMO_USERS[1].email)
        ids = {title: db.session.scalar(select(Asset.id).where(Asset.title == title))
               for title in (VERSIONED_TITLE, DETAIL_TITLE, FORKED_TITLE)}
        versioned = ids[VERSIONED_TITLE]
        with open(files / "platform-overview-one-pager.pdf", "rb") as handle:
            services.add_version(marketer, versioned, handle, "platform-overview-one-pager.pdf",
                                 "Refreshed customer logos and the Q3 benchmark numbers.")
        with open(later / "platform-overview-one-pager.pdf", "rb") as handle:
            services.add_version(marketer, versioned, handle, "platform-overview-v3-draft.pdf",
                                 "Shorter copy for the trade-show handout.")
        services.restore_version(marketer, versioned, 2,
                                 "The short copy confused prospects; back to version 2.")
        ids["fork"] = _fork(ids[FORKED_TITLE])
        ids["link"], ids["token"] = _share(app, _longest_pdf())
        db.session.remove()
    print(f"seeded {count} demo assets")
    return ids


def _fork(asset_id: int) -> int:
    """The demo rep tailors the recap e-mail for an account and suggests a line to marketing."""
    from app.auth.services import find_user_by_email
    from app.demo.seed import DEMO_USERS
    from app.extensions import db
    from app.forks import services, sources, suggestions
    from app.library.models import Asset

    rep = find_user_by_email(DEMO_USERS[2].email)
    version = db.session.get(Asset, asset_id).current_version
    body = sources.source_text(version)
    paragraphs = body.split("\n\n")
    paragraphs.insert(2, "Teams like yours cut their reporting time by **40%** in the first "
                         "quarter: happy to walk you through how Fabrikam did it.")
    fork = services.create_fork(rep, asset_id=asset_id, account="Contoso Retail",
                                fields={"first_name": "Priya", "account_name": "Contoso Retail"},
                                body="\n\n".join(paragraphs))
    suggestions.suggest(rep, fork.id, "Prospects reply more often when the recap names a "
                                      "number from a similar customer.")
    return fork.id


def _longest_pdf() -> int:
    """The published demo PDF with the most pages, so the heat bar has something to show."""
    from sqlalchemy import select

    from app.extensions import db
    from app.library.models import Asset, AssetVersion

    return db.session.scalar(
        select(Asset.id).join(AssetVersion, AssetVersion.id == Asset.current_version_id)
        .where(Asset.status == "published", AssetVersion.content_type == "application/pdf")
        .order_by(AssetVersion.page_count.desc().nulls_last(), Asset.id).limit(1))


def _share(app, asset_id: int) -> tuple[int, str]:
    """The demo rep shares a PDF; three prospects read it, through the viewer and its
    beacons as a browser would (the visits are dated back so their seconds fit)."""
    import re
    from datetime import timedelta

    from app.auth.services import find_user_by_email
    from app.demo.seed import DEMO_USERS
    from app.extensions import db
    from app.share import links
    from app.share.models import ShareVisit

    rep = find_user_by_email(DEMO_USERS[2].email)
    link = links.create_link(rep, asset_ids=[asset_id], title="Northwind for Contoso Retail",
                             message="Hi Priya, here is what we discussed.")
    item = link.items[0].id
    pages = link.items[0].asset.current_version.page_count or 1
    readers = [("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15", [60, 25, 40]),
               ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148",
                [35, 0, 90]),
               ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36",
                [20, 10, 0])]
    for agent, seconds in readers:
        browser = app.test_client()
        html = browser.get(f"/s/{link.token}", headers={"User-Agent": agent}).get_data(
            as_text=True)
        key = re.search(r'data-visit="([^"]+)"', html).group(1)
        visit = db.session.get(ShareVisit, int(key.split(".")[0]))
        visit.started_at -= timedelta(minutes=10)
        db.session.commit()
        entries = [[item, page, s] for page, s in enumerate(seconds, start=1)
                   if s and page <= pages]
        browser.post(f"/s/{link.token}/beacon", json={"v": key, "t": entries,
                                                       "tz": "America/Chicago"},
                     headers={"User-Agent": agent, "Accept-Language": "en-US,en;q=0.9"})
    return link.id, link.token


class Server:
    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def wait_for_images(page) -> None:
    """Every <img> in the viewport has loaded (lazy ones outside it are left alone)."""
    page.wait_for_function("""() => Array.from(document.images).every((img) => {
        const r = img.getBoundingClientRect();
        const visible = r.bottom > 0 && r.top < innerHeight;
        return !visible || (img.complete && img.naturalWidth > 0);
    })""")


def shoot(page, out: Path, name: str) -> None:
    page.wait_for_load_state("networkidle")
    try:
        wait_for_images(page)
    except Exception:
        broken = page.evaluate("""() => Array.from(document.images)
            .filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src)""")
        raise RuntimeError(f"{name}: images not loaded: {broken}") from None
    page.screenshot(path=str(out / name))
    print(f"wrote {out / name}")


def take_screenshots(base: str, ids: dict[str, int], files: Path, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    from app.demo.seed import DEMO_PASSWORD, DEMO_USERS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(20_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                else None)

        page.goto(f"{base}/login")
        page.get_by_label("Email").fill(DEMO_USERS[1].email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        shoot(page, out, "library.png")

        page.goto(f"{base}/assets/{ids[DETAIL_TITLE]}")
        shoot(page, out, "asset.png")

        page.goto(f"{base}/search?q=data+residency")
        shoot(page, out, "search.png")

        page.goto(f"{base}/assets/{ids[VERSIONED_TITLE]}/versions")
        shoot(page, out, "versions.png")

        page.goto(f"{base}/suggestions")
        shoot(page, out, "suggestions.png")

        rep = browser.new_context(viewport=VIEWPORT).new_page()
        rep.goto(f"{base}/login")
        rep.get_by_label("Email").fill(DEMO_USERS[2].email)
        rep.get_by_label("Password").fill(DEMO_PASSWORD)
        rep.get_by_role("button", name="Sign in").click()
        rep.wait_for_url(f"{base}/")
        rep.goto(f"{base}/forks/{ids['fork']}")
        shoot(rep, out, "fork.png")
        rep.goto(f"{base}/share/{ids['link']}")
        rep.locator("section[aria-label=Visits]").scroll_into_view_if_needed()
        shoot(rep, out, "share-link.png")

        leader = browser.new_context(viewport=VIEWPORT).new_page()
        leader.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        leader.goto(f"{base}/login")
        leader.get_by_label("Email").fill(DEMO_USERS[4].email)
        leader.get_by_label("Password").fill(DEMO_PASSWORD)
        leader.get_by_role("button", name="Sign in").click()
        leader.wait_for_url(f"{base}/")
        leader.goto(f"{base}/insights")
        shoot(leader, out, "insights.png")
        leader.locator("a[href^='/insights/assets/']").first.click()
        leader.wait_for_url("**/insights/assets/**")
        shoot(leader, out, "insights-asset.png")

        # Headless Chromium says so in its User-Agent, and the viewer treats it as a bot.
        phone = browser.new_context(viewport={"width": 390, "height": 780}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2,
                                    user_agent=PHONE_AGENT).new_page()
        phone.goto(f"{base}/s/{ids['token']}")
        phone.wait_for_selector(".pdf-page[data-rendered=true]")
        shoot(phone, out, "share-viewer.png")

        page.goto(f"{base}/assets/new")
        page.set_input_files("#files", [files / name for name in UPLOAD_FILES])
        page.get_by_label("Funnel stage").select_option("evaluation")
        page.get_by_label("Persona").fill("CFO")
        page.get_by_label("Tags").fill("q3-launch, roi")
        # Slow the uplink so the bars are caught mid-way: one file done, two moving, one queued.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 20, "downloadThroughput": -1,
            "uploadThroughput": 24 * 1024})
        page.get_by_role("button", name="Upload", exact=True).click()
        page.wait_for_function("""() => {
            const bars = Array.from(document.querySelectorAll('#queue progress'));
            return document.querySelector('#queue li.done')
                && bars.filter((b) => b.value > 5 && b.value < 90).length >= 2;
        }""", polling=20)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "upload.png"))
        print(f"wrote {out / 'upload.png'}")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        page.wait_for_selector("#upload-form[data-finished=true]")
        browser.close()
    if errors:
        raise SystemExit("browser console errors:\n" + "\n".join(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit("install Debian's chromium: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="lockstep-screenshots-"))
    try:
        from app.demo.generate import generate_demo_library

        files, later = workdir / "files", workdir / "later"
        for number, folder in enumerate((files, later), start=1):
            folder.mkdir()  # other wording than the seeded library: new versions and uploads
            generate_demo_library(folder, seed=SEED + number)
        app = build_app(workdir)
        ids = seed(app, files, later)
        server = Server(app)
        try:
            take_screenshots(server.url, ids, files, args.out)
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

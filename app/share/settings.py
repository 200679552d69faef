"""The admin switches for share-link privacy, shown on the settings page."""

from __future__ import annotations

from app.settings.registry import Setting, declare

ANONYMOUS_EVERYWHERE = declare(Setting(
    key="share.anonymous_tracking",
    label="Anonymous share-link tracking on every link",
    help="Visits to every share link are counted in aggregate only: no viewer e-mail and no "
         "address hash is kept, whatever each link says.",
))
HONOUR_DNT = declare(Setting(
    key="share.honour_do_not_track",
    label="Honour Do-Not-Track on share links",
    help="Viewers whose browser sends Do-Not-Track (DNT: 1 or Sec-GPC: 1) are counted "
         "anonymously, in aggregate only.",
))

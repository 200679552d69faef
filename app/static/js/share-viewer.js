// Tracks how long a prospect looks at each page of a shared link, and reports it in beacons.
// Each second the page is visible, the time goes to the most visible PDF page (or item, for
// images, video and text). Every 10 seconds, and when the tab is hidden or closed, the sums are
// sent: fetch with keepalive while the page lives, navigator.sendBeacon when it goes, so a tab
// closed mid-view still reports. The server bounds and rate-limits what it accepts.
(function () {
  "use strict";
  const root = document.querySelector(".share-items[data-beacon]");
  if (!root) return;
  const url = root.dataset.beacon;
  const visit = root.dataset.visit;
  const FLUSH_MS = 10000;
  const ratios = new Map(); // element -> visible ratio
  const pending = new Map(); // "item:page" -> seconds
  const watched = new WeakSet();
  let last = performance.now();

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) ratios.set(entry.target, entry.isIntersecting ? entry.intersectionRatio : 0);
  }, { threshold: [0, 0.1, 0.25, 0.5, 0.75, 1] });

  function watchNew() {
    const targets = root.querySelectorAll(".share-item:not([data-show='pdf']), .share-item .pdf-page");
    targets.forEach((el) => {
      if (!watched.has(el)) { watched.add(el); observer.observe(el); }
    });
  }

  function where(el) {
    const item = el.closest(".share-item");
    const page = el.classList.contains("pdf-page") ? Number(el.dataset.page) : 0;
    return item ? `${item.dataset.item}:${page}` : null;
  }

  function tick() {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    watchNew();
    if (document.visibilityState !== "visible" || seconds <= 0 || seconds > 5) return;
    let best = null;
    let bestRatio = 0;
    for (const [el, ratio] of ratios) {
      if (ratio > bestRatio && el.isConnected) { best = el; bestRatio = ratio; }
    }
    const key = best && where(best);
    if (key) pending.set(key, (pending.get(key) || 0) + seconds);
  }

  function body() {
    const t = [];
    for (const [key, seconds] of pending) {
      const [item, page] = key.split(":").map(Number);
      t.push([item, page, Math.round(seconds * 10) / 10]);
    }
    pending.clear();
    let tz = null;
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { tz = null; }
    return JSON.stringify({ v: visit, t, tz });
  }

  function flush(leaving) {
    tick();
    if (!pending.size) return;
    const payload = body();
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(url, new Blob([payload], { type: "text/plain" }));
      return;
    }
    fetch(url, { method: "POST", body: payload, keepalive: true, credentials: "same-origin",
                 headers: { "Content-Type": "application/json" } }).catch(() => {});
  }

  setInterval(tick, 1000);
  setInterval(() => flush(false), FLUSH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush(true);
    else last = performance.now();
  });
  window.addEventListener("pagehide", () => flush(true));
  watchNew();
})();

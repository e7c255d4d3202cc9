// Nexus dashboard: live regions. Every element with [data-live] and an id is refreshed every few seconds from the
// same page, fetched again (same origin, same cookie) and parsed with DOMParser; the server rendered and encoded it,
// and parsed nodes never run scripts. Refreshing pauses while the tab is hidden or the user is typing in a region.
(function () {
  "use strict";
  var every = 3000;
  function regions() { return document.querySelectorAll("[data-live][id]"); }
  if (regions().length === 0) return;
  var busy = false;
  function refresh() {
    if (busy || document.hidden) return;
    var active = document.activeElement;
    if (active && active.closest && active.closest("[data-live]") && /INPUT|SELECT|TEXTAREA/.test(active.tagName)) return;
    busy = true;
    fetch(location.href, { credentials: "same-origin", headers: { "X-Nexus-Live": "1" }, redirect: "manual" })
      .then(function (r) {
        if (r.status !== 200) { document.body.setAttribute("data-live-state", "stale"); return null; }
        return r.text();
      })
      .then(function (html) {
        if (html === null || html === undefined) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        regions().forEach(function (region) {
          var fresh = doc.getElementById(region.id);
          if (fresh) region.replaceWith(document.importNode(fresh, true));
        });
        document.body.setAttribute("data-live-state", "live");
      })
      .catch(function () { document.body.setAttribute("data-live-state", "stale"); })
      .finally(function () { busy = false; });
  }
  setInterval(refresh, every);
})();

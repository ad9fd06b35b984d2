// The journey's small enhancements; every page works without them.
// - An error summary gets the focus, so that screen-reader and keyboard users land on it.
// - The status page asks the portal for its exchanges' states every few seconds while an answer is awaited;
//   when one changes, the list is fetched again and swapped in, and the change is announced politely
//   (aria-live). Without JavaScript the page's "Refresh" link does the same.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  var region = document.getElementById("exchange-status");
  if (!region || !window.fetch) {
    return;
  }
  var announcer = document.getElementById("status-announcer");
  var url = region.getAttribute("data-status-url");
  var interval = 1500;
  var fingerprint = null;
  var timer = null;

  function schedule() {
    timer = window.setTimeout(check, interval);
  }

  function swap() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("exchange-status");
        if (fresh) {
          region.innerHTML = fresh.innerHTML;
        }
        var actions = page.getElementById("status-actions");
        var current = document.getElementById("status-actions");
        if (actions && current) {
          current.innerHTML = actions.innerHTML;
        }
      });
  }

  function check() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var changed = fingerprint !== null && data.fingerprint !== fingerprint;
        var first = fingerprint === null;
        fingerprint = data.fingerprint;
        var done = changed || (first && region.getAttribute("data-pending") === "true" && !data.pending)
          ? swap().then(function () {
              if (announcer) {
                announcer.textContent = data.exchanges.map(function (row) {
                  return row.evidence + ": " + row.label;
                }).join(". ");
              }
            })
          : Promise.resolve();
        return done.then(function () {
          if (data.pending) { schedule(); }
        });
      })
      .catch(function () {
        interval = Math.min(interval * 2, 30000);
        schedule();
      });
  }

  check();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && timer === null) { check(); }
  });
})();

// The inspector's little script: the app's clock ticks in the header, and a live journal page asks for its
// rows again every two seconds (no reload, no build step).
(function () {
  "use strict";
  var now = document.getElementById("app-now");
  if (now && now.dataset.frozen !== "true") {
    var start = Date.parse(now.dataset.now), rate = parseFloat(now.dataset.rate) || 1, opened = Date.now();
    var text = document.getElementById("app-now-text");
    var fmt = new Intl.DateTimeFormat("sv-SE", {timeZone: now.dataset.zone, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false});
    setInterval(function () { text.textContent = fmt.format(new Date(start + (Date.now() - opened) * rate)); }, 1000);
  }
  var rows = document.getElementById("journal-rows");
  if (rows && rows.dataset.live) {
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(rows.dataset.live, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { rows.innerHTML = html; } })
        .finally(function () { busy = false; });
    }, 2000);
  }
})();

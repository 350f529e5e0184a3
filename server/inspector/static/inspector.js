// The inspector's little script: the app's clock ticks in the header, a live journal page asks for its rows
// again every two seconds, and a clock advance running in the background shows its progress every second until
// it is done, then the page reloads with what ran (no build step).
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
  var advance = document.getElementById("advance-progress");
  if (advance && advance.dataset.status === "advancing") {
    var zone = now ? now.dataset.zone : "UTC", polling = false;
    var stamp = new Intl.DateTimeFormat("sv-SE", {timeZone: zone, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false});
    setInterval(function () {
      if (polling) { return; }
      polling = true;
      fetch(advance.dataset.poll, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (status) {
          if (status === null) { return; }
          if (status.status !== "advancing") { window.location.reload(); return; }
          document.getElementById("advance-meter").value = status.progress;
          document.getElementById("advance-percent").textContent = (status.progress * 100).toFixed(1);
          document.getElementById("advance-reached").textContent = stamp.format(new Date(status.reached));
        })
        .finally(function () { polling = false; });
    }, 1000);
  }
})();

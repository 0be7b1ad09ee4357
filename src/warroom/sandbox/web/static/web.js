// The pages' own script (the Content-Security-Policy allows scripts from the sandbox only, none
// inline): it draws Mermaid charts with the sandbox's copy of Mermaid, and ticks the drill bar.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.mermaid === "undefined") {
      return;
    }
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
    window.mermaid.run({ querySelector: "pre.mermaid" }).catch(function (error) {
      document.body.setAttribute("data-mermaid-error", String(error && error.message || error));
    }).then(function () {
      document.body.setAttribute("data-mermaid", "done");
    });
  }

  // "MM:SS", minutes past the hour kept as minutes: the way the server writes the drill clock.
  function clockText(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // The drill clock runs on in the browser from what the page loaded with (elapsed drill
  // seconds, speed, limit): no polling; the next page load re-syncs with the drill.
  function tickDrill() {
    var bar = document.getElementById("drill-bar");
    if (!bar || bar.getAttribute("data-state") !== "running" || !bar.hasAttribute("data-elapsed")) {
      return;
    }
    var elapsed = Number(bar.getAttribute("data-elapsed"));
    var speed = Number(bar.getAttribute("data-speed"));
    var limit = bar.hasAttribute("data-limit") ? Number(bar.getAttribute("data-limit")) : NaN;
    if (!isFinite(elapsed) || !isFinite(speed) || speed <= 0) {
      return;
    }
    var clock = document.getElementById("drill-elapsed");
    var progress = document.getElementById("drill-progress");
    var note = document.getElementById("drill-note");
    var loaded = Date.now();
    var timer = null;
    function show() {
      var now = Math.floor(elapsed + speed * (Date.now() - loaded) / 1000);
      var over = isFinite(limit) && limit > 0 && now >= limit;
      if (over) {
        now = limit;
      }
      clock.textContent = "T+" + clockText(now);
      if (progress && isFinite(limit) && limit > 0) {
        progress.style.width = (100 * now / limit).toFixed(1) + "%";
      }
      if (over) {
        window.clearInterval(timer);
        if (note) {
          note.textContent = "time is up: reload for the end of the drill";
        }
      }
    }
    // One tick per drill second, but never faster than ten a second.
    timer = window.setInterval(show, Math.max(100, Math.min(1000, 1000 / speed)));
  }

  tickDrill();
  drawCharts();
})();

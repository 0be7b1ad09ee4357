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
  // seconds, speed, the timeline's length): no polling; the next page load re-syncs with the
  // drill. Past the timeline the clock runs on (a drill ends at its own time limit, later),
  // marked as over.
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
    // Count from when the server's answer began to arrive (it rendered the clock just before),
    // not from when this script ran: at 60x each tenth of a second is six drill seconds.
    var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    var loaded = navigation && navigation.responseStart > 0 ? navigation.responseStart : performance.now();
    function show() {
      var now = Math.floor(elapsed + speed * (performance.now() - loaded) / 1000);
      clock.textContent = "T+" + clockText(now);
      if (isFinite(limit) && limit > 0) {
        if (progress) {
          progress.style.width = Math.min(100, 100 * now / limit).toFixed(1) + "%";
        }
        if (now >= limit) {
          bar.classList.add("over");
        }
      }
    }
    // One tick per drill second, but never faster than ten a second.
    show();
    window.setInterval(show, Math.max(100, Math.min(1000, 1000 / speed)));
  }

  tickDrill();
  drawCharts();
})();

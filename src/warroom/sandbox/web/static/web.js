// Draws the page's Mermaid charts with the sandbox's own copy of Mermaid (no inline script:
// the page's Content-Security-Policy allows scripts from the sandbox only).
(function () {
  "use strict";
  if (typeof window.mermaid === "undefined") {
    return;
  }
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
  window.mermaid.run({ querySelector: "pre.mermaid" }).catch(function (error) {
    document.body.setAttribute("data-mermaid-error", String(error && error.message || error));
  }).then(function () {
    document.body.setAttribute("data-mermaid", "done");
  });
})();

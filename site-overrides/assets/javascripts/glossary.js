/* Glossary terms explain themselves on keyboard focus as well as on hover.

   The pipeline wraps every glossary term of a page in <abbr title="definition"> (scripts/pipeline/
   glossary.py); Material's content.tooltips shows the title as a tooltip on hover and focus. An abbr
   cannot take focus by itself, so the first place of each term on a page (outside links, which take
   focus themselves, and headings) gets tabindex="0": one Tab stop per term, not one per word. Every
   other place gets tabindex="-1": a tap or click focuses it, so touch screens show the definition too. */
(function () {
  "use strict";

  function focusable() {
    var seen = {};
    var terms = document.querySelectorAll(".md-content abbr[title]");
    Array.prototype.forEach.call(terms, function (node) {
      var key = node.getAttribute("title");
      if (node.closest("a, button, summary, label")) return;
      var first = !seen[key] && !node.closest("h1, h2, h3, h4, h5, h6");
      if (first) seen[key] = true;
      node.setAttribute("tabindex", first ? "0" : "-1");
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(focusable);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusable);
  } else {
    focusable();
  }
})();

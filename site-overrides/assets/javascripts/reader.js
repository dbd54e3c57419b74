/* Page helpers beyond Material's defaults, run on every page (and after each instant navigation):
 * - a table or code block that scrolls sideways is reachable by keyboard (tabindex=0, a region with a
 *   name), checked again when a <details> opens or the window is resized;
 * - a "Skip to calculator" link in Material's skip area on pages with a calculator (main.html writes it
 *   for the first page load; instant navigation replaces that area). */
(function () {
  "use strict";

  const SCROLLERS = ".md-typeset__scrollwrap, .md-typeset pre > code, .mn-calc__output--list dd";

  function regionName(node) {
    const table = node.querySelector("table");
    if (table) {
      const heads = Array.prototype.map.call(table.querySelectorAll("th"), function (th) { return th.textContent.trim(); })
        .filter(Boolean).slice(0, 3);
      return "Table" + (heads.length ? ": " + heads.join(", ") : "") + " (scrolls sideways)";
    }
    return node.tagName === "CODE" ? "Code (scrolls sideways)" : "Scrollable list";
  }

  /** The title of the box or section a region sits in (rule boxes, details), for its name. */
  function context(node) {
    const box = node.closest(".admonition") || node.closest("details");
    const title = box && box.querySelector(".admonition-title, summary");
    return title ? title.textContent.trim() : "";
  }

  function markScrollers() {
    const used = {};
    document.querySelectorAll("[data-mn-scroller][aria-label]").forEach(function (node) { used[node.getAttribute("aria-label")] = true; });
    document.querySelectorAll(SCROLLERS).forEach(function (node) {
      const scrolls = node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
      if (scrolls && !node.hasAttribute("tabindex")) {
        node.setAttribute("tabindex", "0");
        if (!node.hasAttribute("aria-label")) {
          // Landmark names must differ: the surrounding box's title first, then a number if still taken.
          const where = context(node);
          let name = regionName(node) + (where ? ", in " + where : "");
          for (let n = 2; used[name]; n++) name = name.replace(/ \(\d+\)$/, "") + " (" + n + ")";
          used[name] = true;
          if (node.tagName !== "DD") node.setAttribute("role", "region");  // a <dd> keeps its own role
          node.setAttribute("aria-label", name);
        }
        node.setAttribute("data-mn-scroller", "");
      }
    });
  }

  function skipLink() {
    const area = document.querySelector('[data-md-component="skip"]');
    document.querySelectorAll(".mn-skip-calc").forEach(function (link) { link.remove(); });
    const widget = document.querySelector(".mn-calc[id]");
    if (!area || !widget) return;
    const link = document.createElement("a");
    link.className = "md-skip mn-skip-calc";
    link.href = "#" + widget.id;
    link.textContent = "Skip to calculator";
    area.appendChild(link);
  }

  function onPage() {
    skipLink();
    markScrollers();
  }

  document.addEventListener("toggle", function () { window.requestAnimationFrame(markScrollers); }, true);
  window.addEventListener("resize", function () { window.requestAnimationFrame(markScrollers); });
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();

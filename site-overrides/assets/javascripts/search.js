/* Site search with Pagefind, in Material's search box (site-overrides/partials/search.html).
 *
 * Nothing of the index is loaded until a reader types: the first query imports pagefind/pagefind.js,
 * which fetches only the index chunks and fragments the query needs. The box keeps Material's look
 * (its classes, light and dark), and its keyboard shortcuts: "/", "s" or "f" open it, Escape closes it.
 * Results show the title, the category (entries) and an excerpt with the matched words marked. Result
 * text is inserted as text, never as HTML.
 */
(function () {
  "use strict";
  var MAX_RESULTS = 10;
  var pagefind = null;
  var pending = 0;

  function config() {
    var node = document.getElementById("__config");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (error) { return {}; }
  }

  function siteBase() {
    var base = new URL((config().base || ".") + "/", window.location.href).pathname;
    return base.replace(/\/+$/, "/");
  }

  function load() {
    if (!pagefind) {
      var base = siteBase();
      pagefind = import(base + "pagefind/pagefind.js").then(function (module) {
        return Promise.resolve(module.options({ baseUrl: base, excerptLength: 24 })).then(function () { return module; });
      });
    }
    return pagefind;
  }

  function toggle() { return document.getElementById("__search"); }
  function input() { return document.querySelector("[data-mn-search-query]"); }
  function output() { return document.querySelector("[data-mn-search-result]"); }

  function open() {
    var box = toggle();
    if (box && !box.checked) { box.checked = true; box.dispatchEvent(new Event("change")); }
    var field = input();
    if (field) { field.focus(); }
  }

  function close() {
    var box = toggle();
    if (box && box.checked) { box.checked = false; box.dispatchEvent(new Event("change")); }
    var field = input();
    if (field) { field.blur(); }
  }

  /* An excerpt as DOM nodes: Pagefind marks matches with <mark>; everything else is decoded as text. */
  function excerptNodes(excerpt) {
    var parts = String(excerpt || "").split(/(<\/?mark>)/);
    var nodes = [];
    var marked = false;
    parts.forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      var text = new DOMParser().parseFromString("<p>" + part.replace(/</g, "&lt;") + "</p>", "text/html").body.textContent;
      if (!text) { return; }
      if (marked) {
        var mark = document.createElement("mark");
        mark.textContent = text;
        nodes.push(mark);
      } else {
        nodes.push(document.createTextNode(text));
      }
    });
    return nodes;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = data.url;
    link.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("h1");
    title.textContent = (data.meta && data.meta.title) || data.url;
    article.appendChild(title);
    if (data.meta && data.meta.category) {
      var category = document.createElement("nav");
      category.className = "md-tags mn-search-category";
      var tag = document.createElement("span");
      tag.className = "md-tag";
      tag.textContent = data.meta.category;
      category.appendChild(tag);
      article.appendChild(category);
    }
    var text = document.createElement("p");
    excerptNodes(data.excerpt).forEach(function (node) { text.appendChild(node); });
    article.appendChild(text);
    link.appendChild(article);
    li.appendChild(link);
    return li;
  }

  function show(meta, items) {
    var target = output();
    if (!target) { return; }
    var info = target.querySelector(".md-search-result__meta");
    var list = target.querySelector(".md-search-result__list");
    info.textContent = meta;
    list.replaceChildren.apply(list, items);
  }

  function search(query) {
    var ticket = ++pending;
    if (!query.trim()) { show("Type to start searching", []); return Promise.resolve(); }
    return load().then(function (module) { return module.search(query); }).then(function (found) {
      return Promise.all(found.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }))
        .then(function (pages) {
          if (ticket !== pending) { return; }
          var count = found.results.length;
          show(count === 0 ? "No matching documents" : count === 1 ? "1 matching document" : count + " matching documents",
               pages.map(item));
        });
    }).catch(function () {
      if (ticket === pending) { show("Search is not available on this copy of the site", []); }
    });
  }

  var timer = null;
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-mn-search-query]")) { return; }
    window.clearTimeout(timer);
    var query = event.target.value;
    timer = window.setTimeout(function () { search(query); }, 120);
  });

  document.addEventListener("submit", function (event) {
    if (event.target.closest && event.target.closest("[data-mn-search]")) {
      event.preventDefault();
      var first = output() && output().querySelector(".md-search-result__link");
      if (first) { window.location.href = first.href; }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target === toggle() && event.target.checked) {
      var field = input();
      if (field) { window.setTimeout(function () { field.focus(); }, 0); }
    }
  });

  document.addEventListener("keydown", function (event) {
    var box = toggle();
    if (!box) { return; }
    if (box.checked) {
      if (event.key === "Escape") { event.preventDefault(); close(); }
      return;
    }
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(input|select|textarea)$/i.test(target.tagName));
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "/" || event.key === "s" || event.key === "f") { event.preventDefault(); open(); }
  });

  window.marginNotesSearch = search; /* for tests and the console */
})();

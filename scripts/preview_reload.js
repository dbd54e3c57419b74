/* The live preview's reload script (scripts/preview_server.py injects it into every page it serves,
   never into the built site).

   It waits on the server for the next build (one long request, answered the moment a build ends) and
   then, on a page of the site:
   - when the build rebuilt other pages only, does nothing (this page is already current);
   - when it rebuilt this page, fetches it and swaps its content in place, as Material's instant
     navigation does between pages: the page keeps its scroll position and the scripts already loaded,
     so the change shows without reloading the stylesheets and scripts;
   - after a full build (code, templates or styles changed), when the content has problems, on the
     problems page, or when anything about the swap fails, reloads the page. */
(function (epoch, mount) {
  "use strict";

  var request = null;
  var retry = null;

  // The page's address as the server names rebuilt pages: relative to the site's root, "" for the home page.
  function here() {
    var path = decodeURI(location.pathname);
    if (path.indexOf(mount) === 0) path = path.slice(mount.length);
    return path.replace(/(^|\/)index\.html$/, "$1");
  }

  function reload() {
    stop();
    location.reload();
  }

  // Relative addresses in the fetched page are made absolute, as Material does for the page it starts on.
  function absolute(next) {
    next.querySelectorAll("[href], [src]").forEach(function (node) {
      ["href", "src"].some(function (key) {
        var value = node.getAttribute(key);
        if (!value || /^(?:[a-z]+:)?\/\//i.test(value)) return false;
        node.setAttribute(key, new URL(value, location.href).href);
        return true;
      });
    });
  }

  // The parts Material replaces on an instant navigation; the header, search and palette stay.
  var PARTS = ["announce", "container", "header-topic", "outdated", "logo", "skip"];

  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var container = document.querySelector("[data-md-component=container]");
    if (!container || !next.querySelector("[data-md-component=container]") || next.getElementById("mn-problems")) {
      return false;
    }
    absolute(next);
    PARTS.forEach(function (name) {
      var selector = "[data-md-component=" + name + "]";
      var old = document.querySelector(selector);
      var fresh = next.querySelector(selector);
      if (old && fresh) old.replaceWith(document.adoptNode(fresh));
    });
    // Head tags: add the new ones, drop the ones the page no longer has (not those Material sets itself).
    var kept = new Map();
    Array.prototype.forEach.call(document.head.children, function (node) { kept.set(node.outerHTML, node); });
    Array.prototype.forEach.call(next.head.children, function (node) {
      if (kept.has(node.outerHTML)) kept.delete(node.outerHTML);
      else if (node.tagName !== "SCRIPT") document.head.appendChild(document.importNode(node, true));
    });
    kept.forEach(function (node) {
      var name = node.getAttribute("name");
      if (node.tagName !== "SCRIPT" && node.tagName !== "LINK" && node.tagName !== "STYLE" &&
          name !== "theme-color" && name !== "color-scheme") node.remove();
    });
    // Scripts inside the content run again, as after an instant navigation.
    document.querySelectorAll("[data-md-component=container] script").forEach(function (old) {
      var script = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (attr) { script.setAttribute(attr.name, attr.value); });
      script.textContent = old.textContent;
      old.replaceWith(script);
    });
    window.document$.next(document); // Material and our scripts mount their components on the new content
    return true;
  }

  function refresh(wanted) {
    var address = location.href.split("#")[0];
    return fetch(address, {cache: "no-store", credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.text();
    }).then(function (html) {
      if (!swap(html)) return reload();
      epoch = wanted;
      document.documentElement.dataset.mnPreviewSwapped = String(wanted);
      poll();
    }).catch(reload);
  }

  function poll() {
    stop();
    var controller = new AbortController();
    request = controller;
    fetch("/livereload/mn/" + epoch, {cache: "no-store", signal: controller.signal}).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    }).then(function (news) {
      if (request !== controller) return;
      request = null;
      if (news.epoch <= epoch) return poll();
      var page = here();
      var onProblems = document.getElementById("mn-problems") !== null;
      if (news.reload || onProblems || !window.document$ || typeof window.document$.next !== "function") return reload();
      if (news.pages.indexOf(page) < 0) {
        epoch = news.epoch;
        return poll();
      }
      return refresh(news.epoch);
    }).catch(function (error) {
      if (request !== controller || (error && error.name === "AbortError")) return;
      request = null;
      retry = setTimeout(poll, 3000); // the server is gone or busy: ask again later
    });
  }

  function stop() {
    if (request) request.abort();
    if (retry) clearTimeout(retry);
    request = retry = null;
  }

  window.addEventListener("load", function () {
    if (document.visibilityState === "visible") poll();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") poll();
    else stop();
  });
  window.addEventListener("pagehide", stop);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.visibilityState === "visible") poll(); // back from the page cache
  });
})(EPOCH, MOUNT);

/* Calculator widgets: each .mn-calc[data-calc] (scripts/calcfence.py) becomes a form built from
 * catalogue.json; every number comes from window.mncalc (compiled by PScript from calculators/formulas/),
 * never from a formula written here. Contract: inputs carry name="<input>", outputs data-output="<output>". */
(function () {
  "use strict";

  // catalogue.json and mncalc.js sit next to this file, whatever the page depth or navigation.
  const SCRIPT = document.currentScript;
  const ASSETS_URL = new URL(".", SCRIPT ? SCRIPT.src : document.baseURI);
  const EMPTY = "\u2014";  // shown instead of a number whenever there is no valid result
  const LIST_SPLIT = /[\s,;]+/;
  const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
  const GROUPED_RE = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;  // "87,959.91" typed as one number
  let loading = null;
  let widgetCount = 0;

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = url;
      script.onload = function () { resolve(window.mncalc); };
      script.onerror = function () { reject(new Error("could not load " + url)); };
      document.head.appendChild(script);
    });
  }

  function loadDependencies() {
    if (!loading) {
      const catalogue = fetch(new URL("catalogue.json", ASSETS_URL)).then(function (response) {
        if (!response.ok) throw new Error("catalogue.json: HTTP " + response.status);
        return response.json();
      });
      const bundle = window.mncalc ? Promise.resolve(window.mncalc)
        : loadScript(new URL("mncalc.js", ASSETS_URL).href);
      loading = Promise.all([catalogue, bundle]).then(function (parts) {
        const byId = {};
        parts[0].forEach(function (spec) { byId[spec.id] = spec; });
        return { specs: byId, lib: parts[1] };
      });
      loading.catch(function () { loading = null; });  // allow a retry on the next page
    }
    return loading;
  }

  // Formatting by hand, not Intl.NumberFormat: the first Intl formatter in a fresh page costs ~50 ms
  // (ICU start-up), most of a cold widget's start.
  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  /** Fixed decimals with thousands separators, like Python's format(x, ",.Nf"), except that an exact tie
   * rounds away from zero (toFixed works on the exact binary value); never "-0". Python twin:
   * tests/widgets/display.py. */
  function formatNumber(value, decimals) {
    const parts = Math.abs(value).toFixed(decimals).split(".");
    const text = group(parts[0]) + (parts.length > 1 ? "." + parts[1] : "");
    return value < 0 && /[1-9]/.test(text) ? "-" + text : text;
  }

  function withUnit(text, unit) {
    if (!unit) return text;
    return unit === "%" ? text + "%" : text + " " + unit;
  }

  /** A limit or label as typed: shortest digits, thousands separators. */
  function plainNumber(value) {
    const text = String(value);
    return /e/i.test(text) ? text : text.replace(/^(-?)(\d+)/, function (all, sign, digits) { return sign + group(digits); });
  }

  // Accepts 1234.5, 1,234.5, 1e3, +/-; returns {value} or {error}.
  function parseNumber(text) {
    const raw = text.trim().replace(/[\u00a0\u202f_ ]/g, "");
    if (raw === "") return { error: "Enter a value." };
    let clean = raw;
    if (GROUPED_RE.test(raw)) clean = raw.replace(/,/g, "");
    if (!NUMBER_RE.test(clean)) return { error: "\u201c" + text.trim() + "\u201d is not a number." };
    const value = Number(clean);
    if (!isFinite(value)) return { error: "This number is too large." };
    return { value: value };
  }

  function unitSuffix(unit) {
    return unit && unit !== "%" ? " " + unit : (unit || "");
  }

  function limitError(input, value) {
    const unit = unitSuffix(input.unit), low = input.min, high = input.max;
    if (low != null && (input.min_exclusive ? !(value > low) : !(value >= low))) {
      return "Must be " + (input.min_exclusive ? "greater than " : "at least ") + plainNumber(low) + unit + ".";
    }
    if (high != null && (input.max_exclusive ? !(value < high) : !(value <= high))) {
      return "Must be " + (input.max_exclusive ? "less than " : "at most ") + plainNumber(high) + unit + ".";
    }
    return null;
  }

  /** The words a choice value is shown as: the text of its radio or option, written by the build. */
  function choiceWord(form, name, value) {
    let word = value;
    form.querySelectorAll('[name="' + name + '"]').forEach(function (control) {
      if (control.tagName === "SELECT") {
        Array.prototype.forEach.call(control.options, function (option) { if (option.value === value) word = option.textContent; });
      } else if (control.value === value && control.parentNode.textContent) {
        word = control.parentNode.textContent.trim();
      }
    });
    return word;
  }

  function readInput(form, input) {
    if (input.kind === "choice") {
      const value = choiceValue(form, input.name);
      if (input.choices.indexOf(value) < 0) {
        return { error: "Choose one of: " + input.choices.map(function (choice) { return choiceWord(form, input.name, choice); }).join(", ") + "." };
      }
      return { value: value };
    }
    const text = form.elements[input.name].value;
    if (input.kind === "list") {
      const items = text.split(LIST_SPLIT).filter(function (item) { return item !== ""; });
      if (!items.length) return { error: "Enter at least one value." };
      const values = [];
      for (let i = 0; i < items.length; i++) {
        const parsed = parseNumber(items[i]);
        const problem = parsed.error || limitError(input, parsed.value);
        if (problem) return { error: "Value " + (i + 1) + " (" + items[i] + "): " + problem };
        values.push(parsed.value);
      }
      return { value: values };
    }
    const parsed = parseNumber(text);
    if (parsed.error) return parsed;
    const problem = limitError(input, parsed.value);
    return problem ? { error: problem } : parsed;
  }

  function choiceValue(form, name) {
    const control = form.elements[name];
    if (control && control.tagName === "SELECT") return control.value;
    const checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  function valueText(input, value) {
    if (Array.isArray(value)) return value.map(String).join(", ");
    return String(value);
  }

  function setControl(form, input, value) {
    if (input.kind === "choice") {
      const control = form.elements[input.name];
      if (control.tagName === "SELECT") { control.value = value; return; }
      form.querySelectorAll('input[name="' + input.name + '"]').forEach(function (radio) {
        radio.checked = radio.value === value;
      });
      return;
    }
    form.elements[input.name].value = valueText(input, value);
  }

  /** A label inside a sentence: "Entry price" -> "entry price", "MM deduction" stays. */
  function midSentence(label) {
    return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
  }

  /** A formula's message in the reader's words: every input name replaced by its label. */
  function inWords(spec, text) {
    const inputs = spec.inputs.slice().sort(function (a, b) { return b.name.length - a.name.length; });
    inputs.forEach(function (input) {
      text = text.replace(new RegExp("\\b" + input.name + "\\b", "g"), midSentence(input.label));
    });
    return text;
  }

  /* The build writes the widget's HTML (scripts/calcform.py); a Widget finds its parts and wires them up. */
  function Widget(root, spec, lib) {
    this.root = root;
    this.spec = spec;
    this.fn = lib[spec.function];
    this.lib = lib;
    this.uid = root.id || ("mn-calc-x" + (++widgetCount));
    this.pageDefaults = JSON.parse(root.getAttribute("data-defaults") || "{}");
    this.embedded = root.hasAttribute("data-embed") || Boolean(root.closest(".mn-embed"));
    this.form = root.querySelector("form.mn-calc__form");
    this.formError = root.querySelector(".mn-calc__error--form");
    this.status = root.querySelector(".mn-calc__status");
    this.chart = root.querySelector(".mn-calc__chart");
    const form = this.form;
    const complete = form && this.formError && this.status && spec.inputs.every(function (input) {
      return form.elements[input.name];
    });
    if (!complete) throw new Error("the page's widget does not match the catalogue");
    this.wire();
  }

  /** The market price the ladder marks, read when drawing (a page may set it later). */
  Widget.prototype.marketPrice = function () {
    const market = parseFloat(this.root.getAttribute("data-market-price"));
    return isFinite(market) ? market : null;
  };

  Widget.prototype.wire = function () {
    const self = this;
    const query = new URLSearchParams(window.location.search);
    if (query.get("calc") === this.spec.id) this.fill(this.startValues());
    this.form.addEventListener("input", function () { self.compute(); });
    this.form.addEventListener("change", function () { self.compute(); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    this.root.querySelector(".mn-calc__actions").addEventListener("click", function (event) {
      const button = event.target.closest("button[data-action]");
      if (button) self[button.getAttribute("data-action")]();
    });
    this.wirePresets();
    this.watchResults();
    if (this.chart && window.ResizeObserver) {
      let width = this.chart.clientWidth;
      new ResizeObserver(function () {
        if (self.chart.clientWidth !== width && self.last) {
          width = self.chart.clientWidth;
          self.drawChart(self.last.values, self.last.result);
        }
      }).observe(this.chart);
    }
    this.compute();
  };

  /** The venue preset select the build wrote (catalogue "presets"): choosing one fills the inputs it sources. */
  Widget.prototype.wirePresets = function () {
    const self = this;
    const select = this.root.querySelector(".mn-calc__preset select");
    if (!select || !this.spec.presets) return;
    this.presetSelect = select;
    select.addEventListener("change", function () {
      const preset = self.spec.presets.filter(function (item) { return item.id === select.value; })[0];
      if (!preset) return;
      self.spec.inputs.forEach(function (input) {
        if (Object.prototype.hasOwnProperty.call(preset.values, input.name)) setControl(self.form, input, preset.values[input.name]);
      });
    });
  };

  /** On a narrow screen the summary of key results (stuck under the header, widgets.css) shows while the
   * key result itself is scrolled away and the form is still in view; a scroll listener decides (two rects). */
  Widget.prototype.watchResults = function () {
    const self = this, root = this.root;
    const key = root.querySelector("[data-summary]");
    const output = key && root.querySelector('[data-output="' + key.getAttribute("data-summary") + '"]');
    const row = output && (output.closest(".mn-calc__output") || output);
    const sticky = root.querySelector(".mn-calc__sticky");
    if (!row || !sticky) return;
    let queued = false;
    const update = function () {
      queued = false;
      if (!root.isConnected) {
        window.removeEventListener("scroll", onScroll);
        window.removeEventListener("resize", onScroll);
        return;
      }
      const style = window.getComputedStyle(sticky);
      const top = parseFloat(style.top) || 0;
      const form = self.form.getBoundingClientRect();
      const show = style.display !== "none" && form.bottom > top + 80 && row.getBoundingClientRect().top < top;
      if (show !== root.hasAttribute("data-sticky")) root.toggleAttribute("data-sticky", show);
    };
    const onScroll = function () {
      if (!queued) { queued = true; window.requestAnimationFrame(update); }
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll);
    update();
  };

  /** Catalogue defaults, then the page's fence defaults, then the permalink (URL query) values. */
  Widget.prototype.defaults = function () {
    const values = {};
    const page = this.pageDefaults;
    this.spec.inputs.forEach(function (input) {
      values[input.name] = Object.prototype.hasOwnProperty.call(page, input.name) ? page[input.name] : input.default;
    });
    return values;
  };

  Widget.prototype.startValues = function () {
    const values = this.defaults();
    const query = new URLSearchParams(window.location.search);
    if (query.get("calc") === this.spec.id) {
      this.spec.inputs.forEach(function (input) {
        if (query.has(input.name)) values[input.name] = query.get(input.name);
      });
    }
    return values;
  };

  Widget.prototype.fill = function (values) {
    const form = this.form;
    this.spec.inputs.forEach(function (input) { setControl(form, input, values[input.name]); });
  };

  Widget.prototype.setError = function (name, message) {
    const field = this.form.querySelector('[data-field="' + name + '"]');
    field.querySelector(".mn-calc__error").textContent = message || "";
    field.classList.toggle("mn-calc__field--invalid", Boolean(message));
    field.querySelectorAll("input, select, textarea").forEach(function (control) {
      if (message) control.setAttribute("aria-invalid", "true"); else control.removeAttribute("aria-invalid");
    });
  };

  /** Read, check, call the compiled function, show the results; never shows NaN or Infinity. */
  Widget.prototype.compute = function () {
    const self = this;
    const args = [];
    let valid = true;
    this.formError.textContent = "";
    this.spec.inputs.forEach(function (input) {
      const read = readInput(self.form, input);
      self.setError(input.name, read.error);
      if (read.error) valid = false;
      args.push(read.value);
    });
    if (!valid) return this.clear();
    let result;
    try {
      result = this.fn.apply(null, args);
    } catch (error) {
      this.showComputeError(String(error && error.message || error));
      return this.clear();
    }
    const shown = this.spec.outputs.map(function (output) {
      return [output, displayValue(result[output.name], output)];
    });
    if (shown.some(function (pair) { return pair[1] === null; })) {
      this.formError.textContent = "These numbers give a result too large to show; try smaller values.";
      return this.clear();
    }
    shown.forEach(function (pair) {
      const node = self.root.querySelector('[data-output="' + pair[0].name + '"]');
      if (node.textContent !== pair[1]) node.textContent = pair[1];
      node.setAttribute("data-value", JSON.stringify(result[pair[0].name]));  // unrounded, for scripts
      self.root.querySelectorAll('[data-summary="' + pair[0].name + '"]').forEach(function (copy) {
        if (copy.textContent !== pair[1]) copy.textContent = pair[1];
      });
    });
    const values = {};
    this.spec.inputs.forEach(function (input, i) { values[input.name] = args[i]; });
    const limit = this.presetProblem(values, result);
    if (limit) {
      this.showComputeError(limit);
      return this.clear();
    }
    this.last = { values: values, result: result };
    this.drawChart(values, result);
    return true;
  };

  /** Map "ValueError: leverage must be ..." to the Leverage field, every input name in words; other
   * messages go under the form. */
  Widget.prototype.showComputeError = function (message) {
    const text = message.replace(/^ValueError: /, "");
    const name = text.split(" ")[0];
    const input = this.spec.inputs.filter(function (item) { return item.name === name; })[0];
    if (input) {
      this.setError(name, input.label + inWords(this.spec, text.slice(name.length)) + ".");
    } else {
      this.formError.textContent = "These inputs cannot be computed: " + inWords(this.spec, text) + ".";
    }
  };

  Widget.prototype.clear = function () {
    this.root.querySelectorAll("[data-output], [data-summary]").forEach(function (node) {
      node.textContent = EMPTY;
      node.removeAttribute("data-value");
    });
    this.last = null;
    if (this.chart) {
      const svg = this.chart.querySelector("svg");
      if (svg) this.chart.removeChild(svg);
      this.chart.removeAttribute("data-drawn");
    }
    return false;
  };

  /** "1.00 USDT", "1.00, 2.00 USDT" or "(103.00, 104.00, 30.00), ..." (records); null if not showable. */
  function displayValue(value, output) {
    if (Array.isArray(value)) {
      const parts = value.map(function (item) { return displayValue(item, { decimals: output.decimals }); });
      return parts.indexOf(null) >= 0 ? null : withUnit(parts.join(", "), parts.length ? output.unit : null);
    }
    if (value !== null && typeof value === "object") {
      const fields = Object.keys(value).map(function (key) { return displayValue(value[key], { decimals: output.decimals }); });
      return fields.indexOf(null) >= 0 ? null : "(" + fields.join(", ") + ")";
    }
    if (typeof value !== "number" || !(Math.abs(value) < 1e21)) return null;  // toFixed turns exponential at 1e21
    return withUnit(formatNumber(value, output.decimals), output.unit);
  }

  /* Venue presets (catalogue "presets", from calculators/presets.py): the build writes the select
   * (scripts/calcform.py) and wirePresets fills the inputs a venue's profile sources; the limit check is the
   * compiled venue_limit_problem, worded as the command line words it. */
  Widget.prototype.currentPreset = function () {
    const chosen = this.presetSelect ? this.presetSelect.value : "";
    return this.spec.presets.filter(function (preset) { return preset.id === chosen; })[0] || null;
  };

  /** The broken venue limit as "<input> ..." (shown on that field), or null. */
  Widget.prototype.presetProblem = function (values, result) {
    const preset = this.currentPreset();
    if (!preset || !preset.value_of || !(values.leverage > 0)) return null;
    const pick = function (name) { return name in values ? values[name] : result[name]; };
    const lev = values.leverage, value = pick(preset.value_of[0]) * pick(preset.value_of[1]);
    const found = this.lib.venue_limit_problem(lev, value, preset.tier_limits, preset.tier_max_leverages);
    const where = preset.symbol + " on " + preset.venue + " (source: " + preset.tier_source + ")";
    if (found[0] === 1) return "leverage must be at most " + plainNumber(found[1]) + "x for " + where;
    if (found[0] === 2) {
      return preset.value_of[2] + " puts the position value above " + plainNumber(found[1])
        + " USDT, the risk limit for " + plainNumber(lev) + "x leverage on " + where;
    }
    return null;
  };

  Widget.prototype.reset = function () {
    if (this.presetSelect) this.presetSelect.value = "";
    this.fill(this.defaults());
    const url = new URL(window.location.href);
    if (url.searchParams.get("calc") === this.spec.id) {
      url.search = "";
      window.history.replaceState(window.history.state, "", url.href);
    }
    this.compute();
    this.say("Inputs reset to their defaults.");
  };

  Widget.prototype.currentTexts = function () {
    const self = this;
    const texts = {};
    this.spec.inputs.forEach(function (input) {
      texts[input.name] = input.kind === "choice" ? choiceValue(self.form, input.name)
        : self.form.elements[input.name].value.trim();
    });
    return texts;
  };

  Widget.prototype.permalink = function () {
    const url = new URL(window.location.href);
    const query = new URLSearchParams();
    const texts = this.currentTexts();
    query.set("calc", this.spec.id);
    Object.keys(texts).forEach(function (name) { query.set(name, texts[name]); });
    url.search = query.toString();
    url.hash = "";
    if (this.embedded) {
      // Inside an iframe the shared link opens the full calculator page, not the bare widget.
      url.pathname = url.pathname.replace(/\/embed\/([^/]+)\/(index\.html)?$/, "/calculators/$1/");
    } else {
      window.history.replaceState(window.history.state, "", url.href);
    }
    this.copy(url.href, "Link to this calculation copied.");
  };

  /** The inputs that differ from the catalogue's defaults, as typed ({name: text}). */
  Widget.prototype.changedTexts = function () {
    const texts = this.currentTexts();
    const changed = {};
    this.spec.inputs.forEach(function (input) {
      if (texts[input.name] !== valueText(input, input.default)) changed[input.name] = texts[input.name];
    });
    return changed;
  };

  /** The ```calculator fence that embeds this widget in an article of this site, current inputs as defaults. */
  Widget.prototype.fenceCode = function () {
    const changed = this.changedTexts();
    const pairs = this.spec.inputs.filter(function (input) { return input.name in changed; }).map(function (input) {
      const text = changed[input.name];
      if (input.kind === "list") return input.name + ": [" + text.split(LIST_SPLIT).filter(Boolean).join(", ") + "]";
      return input.name + ": " + (input.kind === "choice" ? text : text.replace(/,/g, ""));
    });
    const lines = ["```calculator", "id: " + this.spec.id];
    if (pairs.length) lines.push("defaults: {" + pairs.join(", ") + "}");
    lines.push("```");
    return lines.join("\n") + "\n";
  };

  /** The site's public address: <meta name="margin-notes:site-url"> (from site_url), else this deployment. */
  function siteUrl() {
    const meta = document.querySelector('meta[name="margin-notes:site-url"]');
    return new URL(meta && meta.content ? meta.content : new URL("../../", ASSETS_URL).href, document.baseURI);
  }

  function attrText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }

  /** An <iframe> of /embed/<id>/ at the current inputs for any web page, with a script that lets the frame
   * take the height its content reports (postMessage from site-overrides/embed.html). */
  Widget.prototype.iframeCode = function () {
    const site = siteUrl();
    const src = new URL("embed/" + this.spec.id + "/", site);
    const changed = this.changedTexts();
    if (Object.keys(changed).length) {
      const query = new URLSearchParams();
      query.set("calc", this.spec.id);
      Object.keys(changed).forEach(function (name) { query.set(name, changed[name]); });
      src.search = query.toString();
    }
    const height = Math.max(400, Math.ceil(this.root.getBoundingClientRect().height) + 40);
    return '<iframe src="' + attrText(src.href) + '" title="' + attrText(this.spec.title + " calculator (Margin Notes)") +
      '" style="width:100%;height:' + height + 'px;border:0" loading="lazy" data-margin-notes-embed></iframe>\n' +
      '<script>addEventListener("message",function(e){var d=e.data;if(e.origin!=="' + site.origin +
      '"||!d||d.type!=="margin-notes:height")return;document.querySelectorAll("iframe[data-margin-notes-embed]")' +
      '.forEach(function(f){if(f.contentWindow===e.source)f.style.height=Math.ceil(d.height)+"px"})})</script>\n';
  };

  Widget.prototype.embed = function () {
    this.copy(this.iframeCode(), "Embed code copied: paste it into the HTML of any web page.");
  };

  Widget.prototype.fence = function () {
    this.copy(this.fenceCode(), "Markdown fence copied: paste it into a Margin Notes article.");
  };

  Widget.prototype.copy = function (text, done) {
    const self = this;
    const fallback = function () {
      self.say("Copy this: " + text);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { self.say(done); }, fallback);
    } else {
      fallback();
    }
  };

  Widget.prototype.say = function (message) {
    this.status.textContent = message;
  };

  /* Charts: plain SVG drawn here rather than a charting library: no dependency to load or audit, a few hundred
   * bytes per chart instead of tens of kilobytes, and every colour is a CSS variable of Material's light
   * and dark palettes (see widgets.css), so the charts follow the reader's palette switch. */

  const SVG_NS = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** An SVG drawn at the figure's own pixel size (1 unit = 1 CSS pixel), so its text keeps the CSS size. */
  function chartSvg(uid, size, title, description) {
    const svg = svgEl("svg", { viewBox: "0 0 " + size.width + " " + size.height, width: size.width, height: size.height,
      role: "img", "aria-labelledby": uid + "-chart-title " + uid + "-chart-desc", class: "mn-chart" });
    svg.appendChild(svgEl("title", { id: uid + "-chart-title" }, title));
    svg.appendChild(svgEl("desc", { id: uid + "-chart-desc" }, description));
    return svg;
  }

  function scale(lo, hi, a, b) {
    return function (value) { return hi === lo ? (a + b) / 2 : a + (value - lo) * (b - a) / (hi - lo); };
  }

  function padded(values, share) {
    const lo = Math.min.apply(null, values);
    const hi = Math.max.apply(null, values);
    const pad = (hi - lo) * share || Math.abs(hi) * share || 1;
    return [lo - pad, hi + pad];
  }

  function money(value, unit) { return withUnit(formatNumber(value, 2), unit); }

  /** A legend row: [{label, kind}] as swatches with words, from x at y; placeLegends spaces the items
   * by their measured text once the chart is in the page. */
  function legend(svg, items, x, y, prefix) {
    const group = svgEl("g", { class: "mn-chart__legend", transform: "translate(" + x + "," + y + ")" });
    items.forEach(function (item, i) {
      const entry = svgEl("g", { transform: "translate(" + (i * 110) + ",0)" });
      entry.appendChild(svgEl("rect", { x: 0, y: -9, width: 12, height: 10, class: prefix + item.kind }));
      entry.appendChild(svgEl("text", { x: 16, y: 0, class: "mn-chart__label" }, item.label));
      group.appendChild(entry);
    });
    svg.appendChild(group);
  }

  function placeLegends(svg) {
    svg.querySelectorAll(".mn-chart__legend").forEach(function (group) {
      let x = 0;
      Array.prototype.forEach.call(group.children, function (entry) {
        entry.setAttribute("transform", "translate(" + x + ",0)");
        x += 16 + entry.querySelector("text").getComputedTextLength() + 16;
      });
    });
  }

  /** About how wide `chars` characters of chart text (13 px) are, to lay out before the SVG is in the page. */
  function textWidth(chars) { return chars * 7.4; }

  const CHARTS = {};

  /** Price ladder: entry, liquidation and bankruptcy prices on an axis chosen from these three; a market
   * price outside that range is an arrow at the top or bottom edge with its value, not a stretched axis. */
  CHARTS["liquidation-price"] = function (widget, values, result, size) {
    const unit = outputUnit(widget.spec, "liquidation_price");
    const marks = [
      { label: "Entry", value: values.entry_price, kind: "entry" },
      { label: "Liquidation", value: result.liquidation_price, kind: "liquidation" },
      { label: "Bankruptcy", value: result.bankruptcy_price, kind: "bankruptcy" },
    ];
    const width = size.width, height = size.height, edge = 24;
    const range = padded(marks.map(function (mark) { return mark.value; }), 0.2);
    const y = scale(range[0], range[1], height - edge - 6, edge + 6);
    const market = widget.marketPrice();
    let offScale = null;
    if (market !== null) {
      if (market >= range[0] && market <= range[1]) marks.push({ label: "Market", value: market, kind: "market" });
      else offScale = { value: market, above: market > range[1] };
    }
    const description = marks.map(function (mark) { return mark.label + " price " + money(mark.value, unit); }).join("; ") +
      (offScale ? "; market price " + money(offScale.value, unit) + ", off the scale " + (offScale.above ? "above" : "below") : "") + ".";
    const svg = chartSvg(widget.uid, size, "Price ladder for this " + values.side + " position", description);
    const longest = Math.max.apply(null, marks.concat(offScale ? [offScale] : []).map(function (mark) {
      return money(mark.value, unit).length + 2;
    }));
    const labelEnd = 92, lineStart = 100, valueStart = Math.max(lineStart + 40, width - textWidth(longest) - 4);
    const lineEnd = valueStart - 8;
    svg.appendChild(svgEl("line", { x1: lineStart + 8, x2: lineStart + 8, y1: edge, y2: height - edge, class: "mn-chart__axis" }));
    // The side of the ladder where the position loses money is shaded from entry to liquidation.
    const top = Math.min(y(values.entry_price), y(result.liquidation_price));
    svg.appendChild(svgEl("rect", { x: lineStart, y: top, width: lineEnd - lineStart,
      height: Math.abs(y(values.entry_price) - y(result.liquidation_price)), class: "mn-chart__zone" }));
    sortLabels(marks.map(function (mark) { return { mark: mark, at: y(mark.value) }; }), 16).forEach(function (item) {
      const mark = item.mark;
      svg.appendChild(svgEl("line", { x1: lineStart, x2: lineEnd, y1: y(mark.value), y2: y(mark.value),
        class: "mn-chart__mark mn-chart__mark--" + mark.kind }));
      svg.appendChild(svgEl("text", { x: labelEnd, y: item.label + 4, "text-anchor": "end", class: "mn-chart__label" }, mark.label));
      svg.appendChild(svgEl("text", { x: valueStart, y: item.label + 4, class: "mn-chart__value" }, money(mark.value, unit)));
    });
    if (offScale) {
      const tip = offScale.above ? 4 : height - 4, base = offScale.above ? 14 : height - 14;
      const mid = (lineStart + lineEnd) / 2;
      svg.appendChild(svgEl("path", { d: "M" + (mid - 7) + "," + base + " L" + mid + "," + tip + " L" + (mid + 7) + "," + base + " Z",
        class: "mn-chart__offscale" }));
      svg.appendChild(svgEl("text", { x: labelEnd, y: (offScale.above ? 14 : height - 5), "text-anchor": "end", class: "mn-chart__label" }, "Market"));
      svg.appendChild(svgEl("text", { x: valueStart, y: (offScale.above ? 14 : height - 5), class: "mn-chart__value" },
        money(offScale.value, unit) + (offScale.above ? " \u2191" : " \u2193")));
    }
    return svg;
  };

  /** Spread label positions at least `gap` apart so close prices stay readable. */
  function sortLabels(items, gap) {
    items.sort(function (a, b) { return a.at - b.at; });
    let last = -Infinity;
    items.forEach(function (item) {
      item.label = Math.max(item.at, last + gap);
      last = item.label;
    });
    return items;
  }

  function outputUnit(spec, name) {
    const output = spec.outputs.filter(function (item) { return item.name === name; })[0];
    return output ? output.unit : null;
  }

  /** Waterfall, one row per step: balance before, margin lost, loss beyond the margin, insurance fund,
   * balance after. Rows (not columns) keep every label on one readable line at any width. */
  CHARTS["gap-loss"] = function (widget, values, result, size) {
    const unit = outputUnit(widget.spec, "balance_after");
    const start = values.wallet_balance;
    // Bar ends come from the catalogue's outputs only: after the margin, the uncovered loss brings the
    // balance to balance_after - insurance_fund_covers, and the fund lifts it to balance_after.
    const afterMargin = start - result.margin_lost;
    const beforeFund = result.balance_after - result.insurance_fund_covers;
    const steps = [
      { label: "Balance before", from: 0, to: start, kind: "total" },
      { label: "Margin lost", from: start, to: afterMargin, kind: "loss" },
      { label: "Loss beyond margin", from: afterMargin, to: beforeFund, kind: "loss" },
      { label: "Insurance fund", from: beforeFund, to: result.balance_after, kind: "gain" },
      { label: "Balance after", from: 0, to: result.balance_after, kind: "total" },
    ];
    const width = size.width, height = size.height, labelEnd = 132, valueWidth = 74;
    const rowHeight = (height - 12) / steps.length;
    const ends = [0];
    steps.forEach(function (step) { ends.push(step.from, step.to); });
    const range = padded(ends, 0.04);
    const x = scale(range[0], range[1], labelEnd + 8, width - valueWidth);
    const description = "Balance before " + money(start, unit) + "; margin lost " + money(result.margin_lost, unit) +
      "; loss " + money(result.loss, unit) + "; insurance fund covers " + money(result.insurance_fund_covers, unit) +
      "; balance after " + money(result.balance_after, unit) + ".";
    const svg = chartSvg(widget.uid, size, "Who pays for the gap loss", description);
    svg.appendChild(svgEl("line", { x1: x(0), x2: x(0), y1: 2, y2: height - 4, class: "mn-chart__axis" }));
    steps.forEach(function (step, i) {
      const top = 6 + i * rowHeight;
      const left = Math.min(x(step.from), x(step.to));
      const change = step.to - step.from;
      svg.appendChild(svgEl("rect", { x: left, y: top + rowHeight * 0.2, height: rowHeight * 0.6,
        width: Math.max(1, Math.abs(x(step.from) - x(step.to))), class: "mn-chart__bar mn-chart__bar--" + step.kind }));
      svg.appendChild(svgEl("text", { x: labelEnd, y: top + rowHeight / 2 + 4, "text-anchor": "end", class: "mn-chart__label" }, step.label));
      svg.appendChild(svgEl("text", { x: width - 4, y: top + rowHeight / 2 + 4, "text-anchor": "end", class: "mn-chart__value" },
        (step.kind === "total" || change <= 0 ? "" : "+") + formatNumber(change, 0)));
    });
    return svg;
  };

  CHARTS.ema = function (widget, values, result, size) {
    const prices = values.prices;
    const ema = result.ema;
    const width = size.width, height = size.height, left = 64, right = width - 8, top = 26, bottom = height - 8;
    const range = padded(prices.concat(ema), 0.05);
    const x = scale(0, Math.max(1, prices.length - 1), left, right);
    const y = scale(range[0], range[1], bottom, top);
    const line = function (series) {
      return series.map(function (value, i) { return x(i + prices.length - series.length).toFixed(1) + "," + y(value).toFixed(1); }).join(" ");
    };
    const svg = chartSvg(widget.uid, size, "Prices and their EMA",
      prices.length + " prices from " + plainNumber(prices[0]) + " to " + plainNumber(prices[prices.length - 1]) +
      "; last EMA " + formatNumber(result.last, outputDecimals(widget.spec, "last")) + ".");
    legend(svg, [{ label: "Price", kind: "price" }, { label: "EMA (" + plainNumber(values.period) + ")", kind: "ema" }],
      left, 14, "mn-chart__key mn-chart__key--");
    svg.appendChild(svgEl("line", { x1: left, x2: left, y1: top, y2: bottom, class: "mn-chart__axis" }));
    [range[0], range[1]].forEach(function (value) {
      svg.appendChild(svgEl("text", { x: left - 6, y: y(value) + 4, "text-anchor": "end", class: "mn-chart__value" }, plainNumber(Number(value.toPrecision(5)))));
    });
    svg.appendChild(svgEl("polyline", { points: line(prices), class: "mn-chart__series mn-chart__series--price" }));
    svg.appendChild(svgEl("polyline", { points: line(ema), class: "mn-chart__series mn-chart__series--ema" }));
    return svg;
  };

  function outputDecimals(spec, name) {
    const output = spec.outputs.filter(function (item) { return item.name === name; })[0];
    return output ? output.decimals : 2;
  }

  /** Horizontal histogram of volume per price row, the point of control and the value area marked. */
  CHARTS["volume-profile"] = function (widget, values, result, size) {
    const rows = result.rows;
    if (!rows.length || rows.length > 1000) return null;  // a readable picture needs a coarser row size
    const labels = rows.map(function (row) { return plainNumber(row.low) + "\u2013" + plainNumber(row.high); });
    const longest = Math.max.apply(null, labels.map(function (text) { return text.length; })) + 4;  // "POC "
    const width = size.width, height = size.height, right = width - 8, top = 4, bottom = height - 24;
    const left = Math.min(Math.round(width * 0.5), Math.max(80, textWidth(longest) + 10));
    const rowHeight = Math.min(22, (bottom - top) / rows.length);
    const maxVolume = Math.max.apply(null, rows.map(function (row) { return row.volume; })) || 1;
    const x = scale(0, maxVolume, left, right);
    const svg = chartSvg(widget.uid, size, "Volume profile",
      rows.length + " price rows of " + plainNumber(values.row_size) + "; point of control " + plainNumber(result.poc) +
      "; value area from " + plainNumber(result.value_area_low) + " to " + plainNumber(result.value_area_high) + ".");
    const labelEvery = Math.ceil(15 / rowHeight);
    let lastLabel = -Infinity;
    // Highest price at the top, like a price chart.
    rows.slice().reverse().forEach(function (row, i) {
      const y = top + i * rowHeight;
      const isPoc = result.poc >= row.low && result.poc <= row.high;
      const inArea = row.low >= result.value_area_low && row.high <= result.value_area_high;
      svg.appendChild(svgEl("rect", { x: left, y: y + 0.5, width: Math.max(1, x(row.volume) - left),
        height: Math.max(1, rowHeight - 1),
        class: "mn-chart__bar" + (isPoc ? " mn-chart__bar--poc" : inArea ? " mn-chart__bar--area" : "") }));
      if ((i % labelEvery === 0 && y - lastLabel >= 15) || isPoc) {
        lastLabel = y;
        svg.appendChild(svgEl("text", { x: left - 6, y: y + rowHeight / 2 + 4, "text-anchor": "end",
          class: "mn-chart__value" + (isPoc ? " mn-chart__value--poc" : "") },
          (isPoc ? "POC " : "") + plainNumber(row.low) + "\u2013" + plainNumber(row.high)));
      }
    });
    legend(svg, [{ label: "Point of control", kind: "poc" }, { label: "Value area", kind: "area" }, { label: "Outside", kind: "out" }],
      8, height - 6, "mn-chart__key mn-chart__key--");
    return svg;
  };

  Widget.prototype.drawChart = function (values, result) {
    const draw = CHARTS[this.spec.id];
    const figure = this.chart;
    if (!figure || !draw) return;
    const old = figure.querySelector("svg");
    if (old) figure.removeChild(old);
    figure.removeAttribute("data-drawn");
    const size = { width: Math.round(figure.clientWidth) || 480, height: Math.round(figure.clientHeight) || 220 };
    let svg = null;
    try {
      svg = draw(this, values, result, size);
    } catch (error) {
      svg = null;  // a chart never blocks the numbers
    }
    if (!svg) return;
    figure.appendChild(svg);
    placeLegends(svg);
    figure.setAttribute("data-drawn", "");
  };

  /** Say why a widget cannot run; the build's form and worked example stay on the page. */
  function fail(root, message) {
    root.setAttribute("data-state", "failed");
    const status = root.querySelector(".mn-calc__status");
    if (status) status.textContent = message;
    else root.textContent = message;
  }

  function mountAll() {
    const roots = Array.prototype.filter.call(document.querySelectorAll(".mn-calc[data-calc]"), function (root) {
      return !root.hasAttribute("data-state");
    });
    if (!roots.length) return;
    const mark = function (name) { if (window.performance && performance.mark) performance.mark(name); };
    mark("mn-widgets-start");
    roots.forEach(function (root) { root.setAttribute("data-state", "loading"); });
    loadDependencies().then(function (deps) {
      mark("mn-widgets-deps");
      roots.forEach(function (root) {
        const spec = deps.specs[root.getAttribute("data-calc")];
        if (!spec || typeof deps.lib[spec.function] !== "function") return fail(root, "This calculator is not available.");
        try {
          new Widget(root, spec, deps.lib);
          root.setAttribute("data-state", "ready");
        } catch (error) {
          fail(root, "This calculator could not start; please reload the page.");  // one broken widget spares the rest
        }
      });
      mark("mn-widgets-ready");
    }, function () {
      roots.forEach(function (root) { fail(root, "The calculator could not be loaded; please reload the page."); });
    });
  }

  // Start fetching while the rest of the page initialises.
  if (document.querySelector(".mn-calc[data-calc]")) loadDependencies().catch(function () {});

  // Mount once the page is parsed, without waiting for Material; then follow Material's instant
  // navigation, which announces each new page on document$ (/embed/ pages have none).
  function follow() {
    if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(mountAll);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { mountAll(); follow(); });
  } else {
    mountAll();
    follow();
  }

  // Exposed for tests and for pages that change the DOM themselves.
  window.mnWidgets = { mount: mountAll, formatNumber: formatNumber, charts: Object.keys(CHARTS) };
})();

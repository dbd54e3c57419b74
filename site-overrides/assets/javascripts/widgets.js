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

  function readInput(form, input) {
    if (input.kind === "choice") {
      const value = choiceValue(form, input.name);
      if (input.choices.indexOf(value) < 0) return { error: "Choose one of: " + input.choices.join(", ") + "." };
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

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function limitsText(input) {
    const unit = unitSuffix(input.unit), parts = [];
    if (input.min != null) parts.push((input.min_exclusive ? "above " : "from ") + plainNumber(input.min) + unit);
    if (input.max != null) parts.push((input.max_exclusive ? "below " : "up to ") + plainNumber(input.max) + unit);
    return parts.join(", ");
  }

  function buildField(uid, input) {
    const id = uid + "-" + input.name;
    const limits = limitsText(input);
    const helpText = [input.help, limits ? "Allowed: " + limits + "." : ""].filter(Boolean).join(" ");
    const help = el("p", { class: "mn-calc__help", id: id + "-help" }, [helpText]);
    const error = el("p", { class: "mn-calc__error", id: id + "-error", "aria-live": "polite" });
    const described = id + "-help " + id + "-error";
    if (input.kind === "choice" && input.choices.length <= 4) {
      const options = input.choices.map(function (choice) {
        return el("label", { class: "mn-calc__segment" }, [
          el("input", { type: "radio", name: input.name, value: choice, "aria-describedby": described }),
          el("span", {}, [choice]),
        ]);
      });
      return el("fieldset", { class: "mn-calc__field mn-calc__field--choice", "data-field": input.name }, [
        el("legend", { class: "mn-calc__label" }, [input.label]),
        el("div", { class: "mn-calc__segmented" }, options), help, error,
      ]);
    }
    let control;
    if (input.kind === "choice") {
      control = el("select", { id: id, name: input.name, "aria-describedby": described },
        input.choices.map(function (choice) { return el("option", { value: choice }, [choice]); }));
    } else if (input.kind === "list") {
      control = el("textarea", { id: id, name: input.name, rows: "3", spellcheck: "false", autocomplete: "off",
        "aria-describedby": described });
    } else {
      control = el("input", { id: id, name: input.name, type: "text", inputmode: "decimal", autocomplete: "off",
        spellcheck: "false", "aria-describedby": described });
    }
    const label = el("label", { class: "mn-calc__label", for: id }, [input.label]);
    const box = el("div", { class: "mn-calc__control" }, [control]);
    if (input.unit) box.appendChild(el("span", { class: "mn-calc__unit", "aria-hidden": "true" }, [input.unit]));
    if (input.unit) label.appendChild(el("span", { class: "mn-calc__sr" }, [" (" + input.unit + ")"]));
    return el("div", { class: "mn-calc__field mn-calc__field--" + input.kind, "data-field": input.name },
      [label, box, help, error]);
  }

  function buildOutputs(spec) {
    return el("dl", { class: "mn-calc__outputs" }, spec.outputs.map(function (output) {
      return el("div", { class: "mn-calc__output mn-calc__output--" + output.kind }, [
        el("dt", {}, [output.label]),
        el("dd", {}, [el("output", { "data-output": output.name }, [EMPTY])]),
      ]);
    }));
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

  function Widget(root, spec, lib) {
    this.root = root;
    this.spec = spec;
    this.fn = lib[spec.function];
    this.lib = lib;
    this.uid = "mn-calc-" + (++widgetCount);
    this.pageDefaults = JSON.parse(root.getAttribute("data-defaults") || "{}");
    const market = parseFloat(root.getAttribute("data-market-price"));
    this.marketPrice = isFinite(market) ? market : null;
    this.embedded = root.hasAttribute("data-embed") || Boolean(root.closest(".mn-embed"));
    this.build();
  }

  Widget.prototype.build = function () {
    const spec = this.spec;
    const uid = this.uid;
    this.form = el("form", { class: "mn-calc__form", novalidate: "", "aria-labelledby": uid + "-title" },
      spec.inputs.map(function (input) { return buildField(uid, input); }));
    this.formError = el("p", { class: "mn-calc__error mn-calc__error--form", "aria-live": "polite" });
    this.status = el("p", { class: "mn-calc__status", role: "status" });
    this.chart = el("figure", { class: "mn-calc__chart", hidden: "" });
    const buttons = el("div", { class: "mn-calc__actions" }, [
      el("button", { type: "button", class: "md-button", "data-action": "reset" }, ["Reset"]),
      el("button", { type: "button", class: "md-button", "data-action": "permalink" }, ["Copy link"]),
    ]);
    if (!this.embedded) {
      buttons.appendChild(el("button", { type: "button", class: "md-button", "data-action": "embed" }, ["Copy embed code"]));
    }
    const results = el("div", { class: "mn-calc__results" }, [buildOutputs(spec), this.formError]);
    this.root.textContent = "";
    // On /embed/ pages the widget is the whole page, so its title is the page's heading.
    this.root.appendChild(el(this.embedded ? "h1" : "p", { class: "mn-calc__title", id: uid + "-title" }, [spec.title]));
    this.root.appendChild(el("div", { class: "mn-calc__body" }, [this.form, results]));
    this.root.appendChild(this.chart);
    this.root.appendChild(buttons);
    this.root.appendChild(this.status);

    if (spec.presets && spec.presets.length) this.form.insertBefore(this.buildPresetField(), this.form.firstChild);
    this.fill(this.startValues());
    const self = this;
    this.form.addEventListener("input", function () { self.compute(); });
    this.form.addEventListener("change", function () { self.compute(); });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    buttons.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-action]");
      if (button) self[button.getAttribute("data-action")]();
    });
    this.compute();
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
      node.textContent = pair[1];
      node.setAttribute("data-value", JSON.stringify(result[pair[0].name]));  // unrounded, for scripts
    });
    const values = {};
    this.spec.inputs.forEach(function (input, i) { values[input.name] = args[i]; });
    const limit = this.presetProblem(values, result);
    if (limit) {
      this.showComputeError(limit);
      return this.clear();
    }
    this.drawChart(values, result);
    return true;
  };

  /** Map "ValueError: leverage must be ..." to the leverage field; other messages go under the form. */
  Widget.prototype.showComputeError = function (message) {
    const text = message.replace(/^ValueError: /, "");
    const name = text.split(" ")[0];
    const input = this.spec.inputs.filter(function (item) { return item.name === name; })[0];
    if (input) {
      this.setError(name, input.label + text.slice(name.length) + ".");
    } else {
      this.formError.textContent = "These inputs cannot be computed: " + text + ".";
    }
  };

  Widget.prototype.clear = function () {
    this.root.querySelectorAll("[data-output]").forEach(function (node) {
      node.textContent = EMPTY;
      node.removeAttribute("data-value");
    });
    this.chart.hidden = true;
    this.chart.textContent = "";
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

  /* Venue presets (catalogue "presets", from calculators/presets.py): a select fills the inputs a venue's
   * profile sources; the limit check is the compiled venue_limit_problem, worded as the command line words it. */
  Widget.prototype.buildPresetField = function () {
    const self = this, id = this.uid + "-venue";
    const options = [el("option", { value: "" }, ["None: type every value"])].concat(
      this.spec.presets.map(function (preset) { return el("option", { value: preset.id }, [preset.label]); }));
    // No name= and no data-field: the preset is not an input (permalinks and embeds carry the values it fills).
    this.presetSelect = el("select", { id: id, "aria-describedby": id + "-help" }, options);
    this.presetSelect.addEventListener("change", function () {
      const preset = self.currentPreset();
      if (!preset) return;
      self.spec.inputs.forEach(function (input) {
        if (Object.prototype.hasOwnProperty.call(preset.values, input.name)) {
          setControl(self.form, input, preset.values[input.name]);
        }
      });
    });
    return el("div", { class: "mn-calc__field mn-calc__preset" }, [
      el("label", { class: "mn-calc__label", for: id }, ["Venue preset"]),
      el("div", { class: "mn-calc__control" }, [this.presetSelect]),
      el("p", { class: "mn-calc__help", id: id + "-help" }, [
        "Fills fee rates and the risk-limit table from the venue's sourced profile and checks its leverage "
        + "and risk limits; values you type afterwards still count."]),
    ]);
  };

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

  /** The ```calculator fence that embeds this widget with the current inputs as its defaults. */
  Widget.prototype.embedCode = function () {
    const texts = this.currentTexts();
    const catalogueDefaults = {};
    this.spec.inputs.forEach(function (input) { catalogueDefaults[input.name] = valueText(input, input.default); });
    const pairs = this.spec.inputs.filter(function (input) {
      return texts[input.name] !== catalogueDefaults[input.name];
    }).map(function (input) {
      if (input.kind === "list") {
        return input.name + ": [" + texts[input.name].split(LIST_SPLIT).filter(Boolean).join(", ") + "]";
      }
      return input.name + ": " + (input.kind === "choice" ? texts[input.name] : texts[input.name].replace(/,/g, ""));
    });
    const lines = ["```calculator", "id: " + this.spec.id];
    if (pairs.length) lines.push("defaults: {" + pairs.join(", ") + "}");
    lines.push("```");
    return lines.join("\n") + "\n";
  };

  Widget.prototype.embed = function () {
    this.copy(this.embedCode(), "Embed code copied: paste it into any article.");
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

  function chartSvg(uid, width, height, title, description) {
    const svg = svgEl("svg", { viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-labelledby": uid + "-chart-title " + uid + "-chart-desc", class: "mn-chart" });
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

  const CHARTS = {};

  /** Price ladder: entry, liquidation and bankruptcy prices (and the market price when the page knows it). */
  CHARTS["liquidation-price"] = function (widget, values, result) {
    const unit = outputUnit(widget.spec, "liquidation_price");
    const marks = [
      { label: "Entry", value: values.entry_price, kind: "entry" },
      { label: "Liquidation", value: result.liquidation_price, kind: "liquidation" },
      { label: "Bankruptcy", value: result.bankruptcy_price, kind: "bankruptcy" },
    ];
    if (widget.marketPrice !== null) marks.push({ label: "Market", value: widget.marketPrice, kind: "market" });
    const width = 480, height = 200;
    const range = padded(marks.map(function (mark) { return mark.value; }), 0.15);
    const y = scale(range[0], range[1], height - 12, 12);
    const description = marks.map(function (mark) { return mark.label + " price " + money(mark.value, unit); }).join("; ") + ".";
    const svg = chartSvg(widget.uid, width, height, "Price ladder for this " + values.side + " position", description);
    svg.appendChild(svgEl("line", { x1: 120, x2: 120, y1: 6, y2: height - 6, class: "mn-chart__axis" }));
    // The side of the ladder where the position loses money is shaded from entry to liquidation.
    const top = Math.min(y(values.entry_price), y(result.liquidation_price));
    svg.appendChild(svgEl("rect", { x: 120, y: top, width: 240,
      height: Math.abs(y(values.entry_price) - y(result.liquidation_price)), class: "mn-chart__zone" }));
    sortLabels(marks.map(function (mark) { return { mark: mark, at: y(mark.value) }; }), 15).forEach(function (item) {
      const mark = item.mark;
      svg.appendChild(svgEl("line", { x1: 110, x2: 360, y1: y(mark.value), y2: y(mark.value),
        class: "mn-chart__mark mn-chart__mark--" + mark.kind }));
      svg.appendChild(svgEl("text", { x: 104, y: item.label + 4, "text-anchor": "end", class: "mn-chart__label" }, mark.label));
      svg.appendChild(svgEl("text", { x: 368, y: item.label + 4, class: "mn-chart__value" }, money(mark.value, unit)));
    });
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

  /** Waterfall: balance before, margin lost, loss beyond the margin, insurance fund, balance after. */
  CHARTS["gap-loss"] = function (widget, values, result) {
    const unit = outputUnit(widget.spec, "balance_after");
    const start = values.wallet_balance;
    // Bar ends come from the catalogue's outputs only: after the margin, the uncovered loss brings the
    // balance to balance_after - insurance_fund_covers, and the fund lifts it to balance_after.
    const afterMargin = start - result.margin_lost;
    const beforeFund = result.balance_after - result.insurance_fund_covers;
    const steps = [
      { label: ["Balance", "before"], from: 0, to: start, kind: "total" },
      { label: ["Margin", "lost"], from: start, to: afterMargin, kind: "loss" },
      { label: ["Loss beyond", "margin"], from: afterMargin, to: beforeFund, kind: "loss" },
      { label: ["Insurance", "fund"], from: beforeFund, to: result.balance_after, kind: "gain" },
      { label: ["Balance", "after"], from: 0, to: result.balance_after, kind: "total" },
    ];
    const width = 480, height = 230, left = 16, barWidth = 70, gap = 22, bottom = height - 36;
    const ends = [0];
    steps.forEach(function (step) { ends.push(step.from, step.to); });
    const range = padded(ends, 0.1);
    const y = scale(range[0], range[1], bottom, 14);
    const description = "Balance before " + money(start, unit) + "; margin lost " + money(result.margin_lost, unit) +
      "; loss " + money(result.loss, unit) + "; insurance fund covers " + money(result.insurance_fund_covers, unit) +
      "; balance after " + money(result.balance_after, unit) + ".";
    const svg = chartSvg(widget.uid, width, height, "Who pays for the gap loss", description);
    svg.appendChild(svgEl("line", { x1: 4, x2: width - 4, y1: y(0), y2: y(0), class: "mn-chart__axis" }));
    steps.forEach(function (step, i) {
      const x = left + i * (barWidth + gap);
      const top = Math.min(y(step.from), y(step.to));
      const change = step.to - step.from;
      svg.appendChild(svgEl("rect", { x: x, y: top, width: barWidth, height: Math.max(1, Math.abs(y(step.from) - y(step.to))),
        class: "mn-chart__bar mn-chart__bar--" + step.kind }));
      svg.appendChild(svgEl("text", { x: x + barWidth / 2, y: top - 4, "text-anchor": "middle", class: "mn-chart__value" },
        (step.kind === "total" || change <= 0 ? "" : "+") + formatNumber(change, 0)));
      step.label.forEach(function (line, j) {
        svg.appendChild(svgEl("text", { x: x + barWidth / 2, y: height - 20 + j * 13, "text-anchor": "middle",
          class: "mn-chart__label" }, line));
      });
    });
    return svg;
  };

  CHARTS.ema = function (widget, values, result) {
    const prices = values.prices;
    const ema = result.ema;
    const width = 480, height = 200, left = 70, right = 470;
    const range = padded(prices.concat(ema), 0.05);
    const x = scale(0, Math.max(1, prices.length - 1), left, right);
    const y = scale(range[0], range[1], height - 10, 10);
    const line = function (series) {
      return series.map(function (value, i) { return x(i + prices.length - series.length).toFixed(1) + "," + y(value).toFixed(1); }).join(" ");
    };
    const svg = chartSvg(widget.uid, width, height, "Prices and their EMA",
      prices.length + " prices from " + plainNumber(prices[0]) + " to " + plainNumber(prices[prices.length - 1]) +
      "; last EMA " + formatNumber(result.last, outputDecimals(widget.spec, "last")) + ".");
    svg.appendChild(svgEl("line", { x1: left, x2: left, y1: 6, y2: height - 6, class: "mn-chart__axis" }));
    [range[0], range[1]].forEach(function (value) {
      svg.appendChild(svgEl("text", { x: left - 6, y: y(value) + 4, "text-anchor": "end", class: "mn-chart__value" }, plainNumber(Number(value.toPrecision(6)))));
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
  CHARTS["volume-profile"] = function (widget, values, result) {
    const rows = result.rows;
    if (!rows.length) return null;
    const width = 480, left = 120, right = width - 16;
    if (rows.length > 1000) return null;  // a readable picture needs a coarser row size
    const rowHeight = Math.min(22, 300 / rows.length);
    const height = rows.length * rowHeight + 36;
    const maxVolume = Math.max.apply(null, rows.map(function (row) { return row.volume; })) || 1;
    const x = scale(0, maxVolume, left, right);
    const svg = chartSvg(widget.uid, width, height, "Volume profile",
      rows.length + " price rows of " + plainNumber(values.row_size) + "; point of control " + plainNumber(result.poc) +
      "; value area from " + plainNumber(result.value_area_low) + " to " + plainNumber(result.value_area_high) + ".");
    const labelEvery = Math.ceil(14 / rowHeight);
    // Highest price at the top, like a price chart.
    rows.slice().reverse().forEach(function (row, i) {
      const top = 8 + i * rowHeight;
      const isPoc = result.poc >= row.low && result.poc <= row.high;
      const inArea = row.low >= result.value_area_low && row.high <= result.value_area_high;
      svg.appendChild(svgEl("rect", { x: left, y: top + 0.5, width: Math.max(1, x(row.volume) - left),
        height: Math.max(1, rowHeight - 1),
        class: "mn-chart__bar" + (isPoc ? " mn-chart__bar--poc" : inArea ? " mn-chart__bar--area" : "") }));
      if (i % labelEvery === 0 || isPoc) {
        svg.appendChild(svgEl("text", { x: left - 6, y: top + rowHeight / 2 + 4, "text-anchor": "end",
          class: "mn-chart__value" + (isPoc ? " mn-chart__value--poc" : "") },
          (isPoc ? "POC " : "") + plainNumber(row.low) + "\u2013" + plainNumber(row.high)));
      }
    });
    svg.appendChild(svgEl("text", { x: left, y: height - 6, class: "mn-chart__value" },
      "Value area (shaded) " + plainNumber(result.value_area_low) + "\u2013" + plainNumber(result.value_area_high) +
      " \u00b7 point of control " + plainNumber(result.poc)));
    return svg;
  };

  Widget.prototype.drawChart = function (values, result) {
    const draw = CHARTS[this.spec.id];
    this.chart.textContent = "";
    let svg = null;
    try {
      svg = draw ? draw(this, values, result) : null;
    } catch (error) {
      svg = null;  // a chart never blocks the numbers
    }
    if (!svg) { this.chart.hidden = true; return; }
    this.chart.appendChild(svg);
    this.chart.hidden = false;
  };

  function fail(root, message) {
    root.setAttribute("data-state", "failed");
    root.textContent = "";
    root.appendChild(el("p", { class: "mn-calc__loading" }, [message]));
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
  window.mnWidgets = { mount: mountAll, formatNumber: formatNumber };
})();

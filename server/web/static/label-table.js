// The editor's results table, a YASR plugin named "labels": a SELECT (or CONSTRUCT) result with the label
// of every IRI, linked to its page on this server, instead of the raw IRI, and English literals without
// their "@en". "Show IRIs" shows the terms as they are: prefixed names, language tags and datatypes.
// Labels, pages and prefixed names come from POST /query/labels (server/web/editor.py), in batches.
(function () {
  "use strict";
  var settings = window.TSKG_EDITOR;
  var Yasr = window.Yasgui.Yasr;
  var PLAIN_TYPES = {
    "http://www.w3.org/2001/XMLSchema#string": true,
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString": true
  };
  var NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|nonPositiveInteger|negativeInteger|unsignedLong|unsignedInt|unsignedShort|unsignedByte)$/;
  var PAGE_ROWS = 500;  // rows drawn at first; a button draws the rest
  var known = {};       // IRI -> {label, href, curie}, from /query/labels

  function lookUp(iris) {
    var missing = iris.filter(function (iri) { return !known[iri]; });
    var batches = [];
    for (var i = 0; i < missing.length; i += settings.maxLabelIris) {
      batches.push(missing.slice(i, i + settings.maxLabelIris));
    }
    return batches.reduce(function (done, batch) {
      return done.then(function () {
        return fetch(settings.labels, {
          method: "POST",
          headers: {"Content-Type": "application/json", "Accept": "application/json"},
          body: JSON.stringify({iris: batch})
        }).then(function (response) {
          if (!response.ok) throw new Error("labels: HTTP " + response.status);
          return response.json();
        }).then(function (data) {
          Object.keys(data.terms).forEach(function (iri) { known[iri] = data.terms[iri]; });
        });
      });
    }, Promise.resolve()).catch(function (err) {
      console.warn("labels could not be loaded; IRIs are shown instead", err);
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isEnglish(lang) {
    return /^en(-|$)/i.test(lang || "");
  }

  // What a cell shows, as text: also the key rows are sorted by.
  function shownText(term, raw) {
    if (!term) return "";
    if (term.type === "uri") {
      var info = known[term.value] || {};
      if (raw) return info.curie || term.value;
      // Things (people, states, events...) by their label; ontology and other terms by prefixed name.
      return info.thing ? (info.label || info.curie || term.value) : (info.curie || info.label || term.value);
    }
    if (term.type === "bnode") return "_:" + term.value;
    if (term.type === "triple") return JSON.stringify(term.value);
    return term.value;
  }

  function iriNode(term, raw) {
    var info = known[term.value] || {};
    var text = shownText(term, raw);
    var title = info.label && info.label !== text ? info.label + " (" + term.value + ")" : term.value;
    if (info.href) return el("a", {href: info.href, title: title, class: "iri"}, text);
    if (/^https?:\/\//i.test(term.value)) {
      return el("a", {href: term.value, title: term.value, class: "iri external", rel: "nofollow noopener"}, text);
    }
    return el("span", {class: "iri", title: term.value}, text);  // other schemes are never links
  }

  function cell(term, raw) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.appendChild(iriNode(term, raw));
    } else if (term.type === "literal" || term.type === "typed-literal") {
      var lang = term["xml:lang"];
      var datatype = term.datatype && !PLAIN_TYPES[term.datatype] ? term.datatype : null;
      var value = el("span", {class: "literal"}, term.value);
      if (datatype) value.title = (known[datatype] || {}).curie || datatype;
      td.appendChild(value);
      if (lang && (raw || !isEnglish(lang))) td.appendChild(el("span", {class: "lang"}, " @" + lang));
      if (datatype && raw) td.appendChild(el("span", {class: "datatype"}, " " + value.title));
    } else {
      td.appendChild(el("span", {class: "muted"}, shownText(term, raw)));
    }
    return td;
  }

  function compare(a, b, numeric) {
    if (a === b) return 0;
    if (a === "") return 1;  // empty cells last
    if (b === "") return -1;
    if (numeric) return parseFloat(a) - parseFloat(b);
    return a.localeCompare(b, undefined, {numeric: true, sensitivity: "base"});
  }

  function LabelTable(yasr) {
    this.yasr = yasr;
    this.label = "Table";
    this.priority = 20;
    this.helpReference = undefined;
    this.raw = false;
    this.sortBy = null;   // {column, descending}
    this.allRows = false;
  }

  LabelTable.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    return !!results && !!results.getVariables && results.getVariables().length > 0;
  };

  LabelTable.prototype.getIcon = function () {  // a small grid, drawn here (no icon font or file to fetch)
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "15");
    svg.setAttribute("height", "15");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M1 2h14v12H1z M1 6h14 M1 10h14 M6 2v12");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.5");
    svg.appendChild(path);
    return svg;
  };

  LabelTable.prototype.download = function (filename) {
    var yasr = this.yasr;
    return {
      getData: function () { return yasr.results ? yasr.results.asCsv() : ""; },
      contentType: "text/csv",
      title: "Download the result as CSV",
      filename: (filename || "query-result") + ".csv"
    };
  };

  LabelTable.prototype.draw = function () {
    var self = this;
    this.allRows = false;
    var bindings = this.yasr.results.getBindings() || [];
    var iris = {};
    bindings.forEach(function (row) {
      Object.keys(row).forEach(function (v) {
        var term = row[v];
        if (term.type === "uri") iris[term.value] = true;
        if (term.datatype) iris[term.datatype] = true;
      });
    });
    return lookUp(Object.keys(iris)).then(function () { self.render(); });
  };

  LabelTable.prototype.render = function () {
    var self = this;
    var root = this.yasr.resultsEl;
    while (root.firstChild) root.removeChild(root.firstChild);
    var vars = this.yasr.results.getVariables();
    var rows = (this.yasr.results.getBindings() || []).slice();
    var raw = this.raw;

    if (this.sortBy) {
      var name = vars[this.sortBy.column];
      var numeric = rows.every(function (r) { return !r[name] || NUMERIC.test(r[name].datatype || ""); });
      var sign = this.sortBy.descending ? -1 : 1;
      rows.sort(function (a, b) { return sign * compare(shownText(a[name], raw), shownText(b[name], raw), numeric); });
    }

    var wrapper = el("div", {class: "tskg-results"});
    var bar = el("div", {class: "tskg-results-bar"});
    bar.appendChild(el("p", {id: "results-summary", class: "muted"},
      rows.length + (rows.length === 1 ? " row" : " rows")));
    var toggleLabel = el("label", {class: "tskg-toggle"});
    var toggle = el("input", {type: "checkbox", id: "show-iris"});
    toggle.checked = raw;
    toggle.addEventListener("change", function () { self.raw = toggle.checked; self.render(); });
    toggleLabel.appendChild(toggle);
    toggleLabel.appendChild(document.createTextNode(" Show IRIs"));
    bar.appendChild(toggleLabel);
    wrapper.appendChild(bar);

    var scroller = el("div", {class: "table-scroll", role: "region", "aria-label": "Query results", tabindex: "0"});
    var table = el("table", {class: "results-table", id: "results-table"});
    var head = el("tr");
    vars.forEach(function (v, i) {
      var th = el("th", {scope: "col"});
      var sorted = self.sortBy && self.sortBy.column === i;
      if (sorted) th.setAttribute("aria-sort", self.sortBy.descending ? "descending" : "ascending");
      var button = el("button", {type: "button", class: "sort", title: "Sort by " + v}, v);
      button.addEventListener("click", function () {
        var descending = !!(self.sortBy && self.sortBy.column === i && !self.sortBy.descending);
        self.sortBy = {column: i, descending: descending};
        self.render();
        var again = document.querySelectorAll("#results-table thead button")[i];
        if (again) again.focus();
      });
      th.appendChild(button);
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    var limit = this.allRows ? rows.length : Math.min(rows.length, PAGE_ROWS);
    for (var r = 0; r < limit; r++) {
      var tr = el("tr");
      for (var c = 0; c < vars.length; c++) tr.appendChild(cell(rows[r][vars[c]], raw));
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    scroller.appendChild(table);
    wrapper.appendChild(scroller);

    if (!rows.length) wrapper.appendChild(el("p", {class: "muted"}, "No results."));
    // The endpoint cuts long results and says so in headers (server/web/sparql.py).
    var response = this.yasr.results.res;
    if (response && response.headers && response.headers.get("X-TSKG-Truncated") === "true") {
      wrapper.insertBefore(el("p", {class: "warning", id: "truncated", role: "note"},
        "The endpoint cut this result at its limit of " + response.headers.get("X-TSKG-Row-Limit") +
        " rows: narrow the query (or add LIMIT and OFFSET) to see the rest."), wrapper.firstChild);
    }
    if (limit < rows.length) {
      var more = el("button", {type: "button", id: "show-all-rows"}, "Show all " + rows.length + " rows");
      more.addEventListener("click", function () { self.allRows = true; self.render(); });
      wrapper.appendChild(more);
    }
    root.appendChild(wrapper);
  };

  LabelTable.prototype.destroy = function () {};

  Yasr.registerPlugin("labels", LabelTable);
})();

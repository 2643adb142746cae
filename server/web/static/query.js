// The query page: send the form's query to /sparql with fetch and show the answer.
// SELECT/ASK come back as SPARQL JSON and are drawn as a table; other formats are shown as text.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var format = document.getElementById("format");
  var statusEl = document.getElementById("status");
  var errorEl = document.getElementById("error");
  var results = document.getElementById("results");
  var button = document.getElementById("run");
  var pages = (window.TSKG && window.TSKG.pages) || [];
  var XSD = "http://www.w3.org/2001/XMLSchema#";

  // Where an IRI of our namespaces is documented on this server (null for others).
  function localHref(iri) {
    for (var i = 0; i < pages.length; i++) {
      var rule = pages[i];
      if (rule.exact ? iri === rule.prefix : iri.indexOf(rule.prefix) === 0 && iri.length > rule.prefix.length) {
        return rule.exact ? rule.path : rule.path + iri.slice(rule.prefix.length);
      }
    }
    return null;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var href = localHref(term.value);
      if (href || /^https?:\/\//i.test(term.value)) {
        var a = el("a", {href: href || term.value, title: term.value, class: href ? "iri" : "iri external"}, term.value);
        if (!href) a.setAttribute("rel", "nofollow noopener");
        td.appendChild(a);
      } else {  // other schemes (urn:, javascript:) are shown, never linked
        td.appendChild(el("span", {class: "iri"}, term.value));
      }
    } else if (term.type === "literal" || term.type === "typed-literal") {
      td.appendChild(el("span", {class: "literal"}, term.value));
      if (term["xml:lang"]) td.appendChild(el("span", {class: "lang"}, " @" + term["xml:lang"]));
      else if (term.datatype && term.datatype !== XSD + "string") {
        var dt = term.datatype.indexOf(XSD) === 0 ? "xsd:" + term.datatype.slice(XSD.length) : term.datatype;
        td.appendChild(el("span", {class: "datatype"}, " " + dt));
      }
    } else if (term.type === "bnode") {
      td.appendChild(el("span", {class: "bnode muted"}, "_:" + term.value));
    } else if (term.type === "triple") {
      td.textContent = JSON.stringify(term.value);
    }
    return td;
  }

  function showTable(data) {
    if (typeof data.boolean === "boolean") {
      results.appendChild(el("p", {class: "boolean", id: "ask-result"}, "ASK: " + (data.boolean ? "true" : "false")));
      return 1;
    }
    var vars = data.head.vars || [];
    var rows = data.results.bindings || [];
    var table = el("table", {class: "results-table", id: "results-table"});
    var thead = el("thead");
    var tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("th", {scope: "col"}, "?" + v)); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (row) {
      var r = el("tr");
      vars.forEach(function (v) { r.appendChild(cell(row[v])); });
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    results.appendChild(table);
    if (!rows.length) results.appendChild(el("p", {class: "muted"}, "No results."));
    return rows.length;
  }

  function showError(message) {
    errorEl.hidden = false;
    errorEl.textContent = message;
  }

  function run(event) {
    if (event) event.preventDefault();
    var chosen = format.value;
    var accept = chosen === "table"
      ? "application/sparql-results+json, text/turtle;q=0.9"
      : chosen;
    errorEl.hidden = true;
    errorEl.textContent = "";
    results.innerHTML = "";
    statusEl.textContent = "Running…";
    button.disabled = true;
    var started = performance.now();
    var body = new URLSearchParams();
    body.set("query", textarea.value);
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: {"Accept": accept},
      body: body
    }).then(function (response) {
      return response.text().then(function (text) { return {response: response, text: text}; });
    }).then(function (answer) {
      var response = answer.response;
      var ms = Math.round(performance.now() - started);
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      if (!response.ok) {
        statusEl.textContent = "";
        showError("Error " + response.status + " " + response.statusText + ": " + answer.text.trim());
        return;
      }
      var truncated = (response.headers.get("X-TSKG-Truncated") || "") === "true";
      var limit = response.headers.get("X-TSKG-Row-Limit");
      var count;
      if (chosen === "table" && type === "application/sparql-results+json") {
        count = showTable(JSON.parse(answer.text));
        statusEl.textContent = count + (count === 1 ? " row" : " rows") + " in " + ms + " ms";
      } else {
        results.appendChild(el("pre", {class: "raw", id: "raw-result"}, answer.text));
        statusEl.textContent = type + ", " + answer.text.length + " characters in " + ms + " ms";
      }
      if (truncated) {
        results.insertBefore(el("p", {class: "warning", id: "truncated"},
          "The result was cut at the row limit" + (limit ? " (" + limit + " rows)" : "") + "."), results.firstChild);
      }
    }).catch(function (err) {
      statusEl.textContent = "";
      showError("The request failed: " + err.message);
    }).then(function () {
      button.disabled = false;
    });
  }

  form.addEventListener("submit", run);
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
  });
})();

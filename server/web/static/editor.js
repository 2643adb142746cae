// The query editor page: YASGUI (static/vendor/yasgui/) wired to this server only.
//
// - Queries always go to our /sparql, whatever a tab or a link says.
// - Autocompletion offers the project's prefixes and the classes and properties of /query/vocabulary.json,
//   replacing YASQE's look-ups on outside services (the LOV term search; prefix.cc is off in this build).
// - The saved queries (/queries?format=json) are the examples.
// - /query?query=TEXT opens with TEXT (in the tab that holds it, or a new one) and runs it; the address
//   bar and the "Link to this query" link always hold such a URL for the current query.
// - Results are drawn by the "labels" plugin of static/label-table.js.
// - The project's prefixes count as declared for YASQE's syntax check too (the endpoint accepts them
//   undeclared), so its error marker stands on the line that is wrong; an error the endpoint reports
//   ("line 5, column 3: …") is marked on that line; terms of our ontology's namespace that the ontology
//   does not define are underlined as they are typed ("tsk:Persn is not in the ontology; did you mean
//   tsk:Person?", from /query/vocabulary.json), and the endpoint's X-TSKG-Warning headers are shown.
(function () {
  "use strict";
  var settings = window.TSKG_EDITOR;
  var Yasgui = window.Yasgui;
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;
  var endpoint = new URL(settings.endpoint, window.location.href).href;
  var SUGGESTIONS = 60;

  // --- autocompletion from our vocabulary ------------------------------------------------------------

  var vocabulary = null;  // {prefixes: {tsk: IRI, ...}, classes: [{iri, curie, label}], properties: [...]}
  var vocabularyLoaded = fetch(settings.vocabulary, {headers: {"Accept": "application/json"}})
    .then(function (response) {
      if (!response.ok) throw new Error("vocabulary: HTTP " + response.status);
      return response.json();
    })
    .then(function (data) { vocabulary = data; return data; });

  // The prefixed name of an IRI under our prefixes, or null.
  function prefixedName(iri) {
    var prefixes = vocabulary ? vocabulary.prefixes : {};
    var best = null;
    Object.keys(prefixes).forEach(function (prefix) {
      var ns = prefixes[prefix];
      var local = iri.slice(ns.length);
      if (iri.indexOf(ns) === 0 && /^[A-Za-z_][\w.-]*$/.test(local) && !/\.$/.test(local)
          && (!best || ns.length > best.ns.length)) {
        best = {ns: ns, name: prefix + ":" + local};
      }
    });
    return best && best.name;
  }

  function localName(iri) {
    return iri.replace(/^.*[#/]/, "");
  }

  // Terms matching what was typed: an IRI start (expanded from a prefixed name, declared in the query or
  // one of ours), else a word found in the local name or the label.
  function matchingTerms(terms, token) {
    var typed = (token.autocompletionString || token.string || "").trim();
    var colon = typed.indexOf(":");
    if (colon > 0 && !/^[a-z]+:\/\//i.test(typed) && vocabulary.prefixes[typed.slice(0, colon)]) {
      typed = vocabulary.prefixes[typed.slice(0, colon)] + typed.slice(colon + 1);  // an undeclared prefix of ours
    }
    var byStart = terms.filter(function (t) { return typed && t.iri.indexOf(typed) === 0; });
    if (byStart.length || /[:/#]/.test(typed)) return byStart.slice(0, SUGGESTIONS);
    var word = typed.toLowerCase();
    return terms.filter(function (t) {
      return localName(t.iri).toLowerCase().indexOf(word) >= 0 || (t.label || "").toLowerCase().indexOf(word) >= 0;
    }).slice(0, SUGGESTIONS);
  }

  var hintLabels = {};  // suggested text -> the term's label, for the hint list

  function termCompleter(name, listName) {
    return {
      name: name,
      bulk: false,
      get: function (yasqe, token) {
        return vocabularyLoaded.then(function (v) {
          return matchingTerms(v[listName], token).map(function (t) {
            hintLabels[t.iri] = t.label;
            return t.iri;
          });
        }, function () { return []; });
      },
      postProcessSuggestion: function (yasqe, token, iri) {
        var text;
        if (token.tokenPrefix && token.tokenPrefixUri && iri.indexOf(token.tokenPrefixUri) === 0) {
          text = token.tokenPrefix + iri.slice(token.tokenPrefixUri.length);
        } else {
          text = prefixedName(iri) || "<" + iri + ">";  // a prefix of ours gets its PREFIX line when inserted
        }
        hintLabels[text] = hintLabels[iri];
        return text;
      },
      postprocessHints: function (yasqe, hints) {
        hints.forEach(function (hint) {
          var label = hintLabels[hint.text];
          if (label && label.toLowerCase() !== localName(hint.text).toLowerCase()) {
            hint.displayText = hint.text + " \u2014 " + label;
          }
        });
        return hints;
      }
    };
  }

  // Same names as YASQE's own completers, so these replace them (and their LOV requests).
  Yasqe.forkAutocompleter("class", termCompleter("class", "classes"));
  Yasqe.forkAutocompleter("property", termCompleter("property", "properties"));
  Yasqe.forkAutocompleter("prefixes", {
    name: "prefixes",
    persistenceId: null,
    get: function () {
      return vocabularyLoaded.then(function (v) {
        return Object.keys(v.prefixes).sort().map(function (p) { return p + ": <" + v.prefixes[p] + ">"; });
      });
    }
  });

  // --- the project's prefixes, declared for YASQE's syntax check ----------------------------------------

  // YASQE's tokenizer flags a prefix the text does not declare, and the rest of the query is then left
  // unchecked. Its state's table of prefixes gets ours underneath (as its prototype): a lookup finds them,
  // while getPrefixesFromQuery() still gives only what the text declares, so that completing tsk: still
  // writes its PREFIX line.
  var sparqlMode = Yasqe.modes.sparql11;
  Yasqe.defineMode("sparql11", function (config, parserConfig) {
    var mode = sparqlMode(config, parserConfig);
    var startState = mode.startState;
    mode.startState = function () {
      var state = startState.apply(this, arguments);
      state.prefixes = Object.create(vocabulary ? vocabulary.prefixes : {});
      return state;
    };
    return mode;
  });
  var declaredPrefixes = Yasqe.prototype.getPrefixesFromQuery;
  Yasqe.prototype.getPrefixesFromQuery = function () {
    var all = declaredPrefixes.call(this);
    var own = {};
    Object.keys(all).forEach(function (prefix) { own[prefix] = all[prefix]; });
    return own;
  };

  // --- shareable links ---------------------------------------------------------------------------------

  function linkFor(query) {
    var url = new URL(window.location.pathname, window.location.href);
    url.searchParams.set("query", query);
    return url.href;
  }

  // YASQE's share button gives our /query?query=... link rather than YASGUI's long #fragment.
  Yasgui.Tab.prototype.getShareableLink = function () {
    return linkFor(this.getQuery());
  };

  // --- YASGUI ---------------------------------------------------------------------------------------

  // Results: our labelled table (label-table.js) and the raw response; YASR's DataTables table is off.
  Yasr.defaults.plugins.table = {enabled: false};
  Yasr.defaults.pluginOrder = ["labels", "response"];
  Yasr.defaults.defaultPlugin = "labels";

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: "tskg-query",
    requestConfig: {
      endpoint: function () { return endpoint; },  // a function: it wins over what a tab or link stored
      method: "POST",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9"
    },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }, keys: []},
    populateFromUrl: false,  // openFromAddress() below: only the query is taken from a link
    yasqe: {
      value: settings.example,
      resizeable: false,
      viewportMargin: Infinity,
      // Tab and Shift+Tab move the focus on, as everywhere else, rather than indent (Ctrl+] and Ctrl+[ do).
      extraKeys: {"Tab": false, "Shift-Tab": false}
    },
    yasr: {
      defaultPlugin: "labels",
      pluginOrder: ["labels", "response"],
      prefixes: function () { return vocabulary ? vocabulary.prefixes : {}; }
    }
  });

  // Accessibility repairs to YASGUI's markup: its tab list holds the "add tab" button, which a tablist
  // may not (only tabs), so the button moves beside the list; CodeMirror's input gets a name.
  (function moveAddTabButton() {
    var tabs = yasgui.tabElements;
    var list = tabs._tabsListEl;
    var add = tabs.addTabEl;
    if (!list || !add) return;
    var row = document.createElement("div");
    row.className = "tskg-tabs-row";
    list.parentNode.insertBefore(row, list);
    row.appendChild(list);
    row.appendChild(add);
    tabs.addTabEl = undefined;  // new tabs are then appended to the list itself
  })();

  function nameEditor(tab) {
    var yasqe = tab && tab.getYasqe();
    if (yasqe) yasqe.getInputField().setAttribute("aria-label", "SPARQL query");
  }

  // The tab's settings menu shows its labels beside the fields without tying them to the fields; its
  // rows of inputs grow as one types, so names are given again whenever the menu changes.
  function nameSettings(tab) {
    var panel = document.getElementById(tab.getId());
    var menu = panel && panel.querySelector(".tabMenu");
    if (!menu) return;
    function name() {
      menu.querySelectorAll(".selector").forEach(function (selector) {
        var label = selector.querySelector("label");
        var field = selector.querySelector("select");
        if (label && field) field.setAttribute("aria-label", "Accept for " + label.textContent);
      });
      menu.querySelectorAll(".textSetting").forEach(function (setting) {
        var label = setting.querySelector(".label");
        setting.querySelectorAll("input").forEach(function (input) {
          var row = Array.prototype.slice.call(input.parentNode.querySelectorAll("input"));
          var part = row.length === 2 ? (row.indexOf(input) === 0 ? " name" : " value") : "";
          input.setAttribute("aria-label", (label ? label.textContent : "Setting") + part);
        });
      });
    }
    name();
    new MutationObserver(name).observe(menu, {childList: true, subtree: true});
  }

  var shareLink = document.getElementById("share-link");
  var copyButton = document.getElementById("copy-link");
  var copyStatus = document.getElementById("copy-status");

  function currentQuery() {
    var tab = yasgui.getTab();
    return tab ? tab.getQuery() : "";
  }

  function syncLink() {
    var href = linkFor(currentQuery());
    shareLink.href = href;
    copyStatus.textContent = "";
    if (window.location.href !== href) window.history.replaceState(null, "", href);
  }

  function watch(tab) {
    if (!tab || tab.tskgWatched || !tab.getYasqe()) return;  // a tab gets its editor when first shown
    tab.tskgWatched = true;
    nameEditor(tab);
    nameSettings(tab);
    tab.getYasqe().on("change", function (yasqe) {
      tab.handleYasqeBlur(yasqe);  // YASGUI keeps the text on blur only: keep it now, so a reload finds its tab
      syncLink();
    });
  }

  // /query?query=TEXT: the tab that holds TEXT is shown (the one in view, another one, the untouched first
  // tab of a first visit, or else a new one), and its query run unless it shows results already (so a
  // reload does not run it again).
  (function openFromAddress() {
    var shared = new URL(window.location.href).searchParams.get("query");
    if (shared === null) return;
    var current = yasgui.getTab();
    if (!current || current.getQuery() !== shared) {
      var holder = yasgui.persistentConfig.getTabs().filter(function (id) {
        return yasgui.persistentConfig.getTab(id).yasqe.value === shared;
      })[0];
      if (holder) yasgui.selectTabId(holder);
      else if (current && current.getQuery() === settings.example && !current.hasResults()) current.setQuery(shared);
      else yasgui.addTab(true, {name: "Shared query", yasqe: {value: shared}});
    }
    var tab = yasgui.getTab();
    if (!tab.hasResults()) tab.query().catch(function () {});  // errors are shown by YASR
  })();

  yasgui.on("tabSelect", function () { setTimeout(function () { watch(yasgui.getTab()); syncLink(); }, 0); });
  yasgui.on("tabAdd", function () { setTimeout(function () { watch(yasgui.getTab()); }, 0); });
  watch(yasgui.getTab());
  syncLink();

  copyButton.hidden = !navigator.clipboard;
  copyButton.addEventListener("click", function () {
    navigator.clipboard.writeText(shareLink.href).then(function () {
      copyStatus.textContent = "Link copied.";
    }, function () {
      copyStatus.textContent = "Could not copy; use the link instead.";
    });
  });

  // --- hints: undefined terms of our ontology, and the endpoint's errors on their line --------------------

  var hints = document.createElement("div");
  hints.id = "query-hints";
  hints.className = "warning";
  hints.setAttribute("role", "status");
  hints.hidden = true;
  var workbench = document.getElementById("yasgui");
  workbench.parentNode.insertBefore(hints, workbench);

  var ontologyNames = null;  // local names of the ontology's classes and properties (what follows tsk:)
  vocabularyLoaded.then(function (v) {
    var ns = v.prefixes.tsk;
    ontologyNames = {};
    v.classes.concat(v.properties).forEach(function (t) {
      if (t.iri.indexOf(ns) === 0) ontologyNames[t.iri.slice(ns.length)] = true;
    });
    // The prefixes came with the vocabulary: check every open editor again with them.
    yasgui.persistentConfig.getTabs().forEach(function (id) {
      var tab = yasgui.getTab(id);
      var yasqe = tab && tab.getYasqe();
      if (yasqe) {
        yasqe.setOption("mode", "sparql11");
        yasqe.checkSyntax();
        checkTerms(yasqe);
      }
    });
  }, function () {});

  function distance(a, b) {  // Levenshtein, for "did you mean"
    var row = [];
    for (var j = 0; j <= b.length; j++) row.push(j);
    for (var i = 1; i <= a.length; i++) {
      var previous = row[0];
      row[0] = i;
      for (j = 1; j <= b.length; j++) {
        var kept = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = kept;
      }
    }
    return row[b.length];
  }

  function suggestion(local) {
    var best = null;
    var bestDistance = Infinity;
    Object.keys(ontologyNames).forEach(function (name) {
      var d = name.toLowerCase() === local.toLowerCase() ? 0 : distance(local, name);
      if (d < bestDistance) { best = name; bestDistance = d; }
    });
    return bestDistance <= Math.max(1, Math.floor(local.length / 3)) ? best : null;
  }

  var marks = [];
  function clearMarks() {
    marks.forEach(function (m) { m.clear(); });
    marks = [];
  }

  function showHints(messages) {
    hints.textContent = "";
    messages.forEach(function (text) {
      var line = document.createElement("p");
      line.textContent = text;
      hints.appendChild(line);
    });
    hints.hidden = messages.length === 0;
  }

  // Prefixed names (and full IRIs) of our ontology's namespace that it does not define, underlined.
  function checkTerms(yasqe) {
    if (!yasqe || !ontologyNames || !vocabulary) return;
    clearMarks();
    var ns = vocabulary.prefixes.tsk;
    var declared = {};
    var messages = [];
    for (var line = 0; line < yasqe.lineCount(); line++) {
      var tokens = yasqe.getLineTokens(line);
      tokens.forEach(function (token, k) {
        var text = token.string;
        if (token.type === "string-2" && /:$/.test(text)) {  // PREFIX x: <…>
          var iri = tokens.slice(k + 1).filter(function (t) { return t.type === "variable-3"; })[0];
          if (iri) declared[text.slice(0, -1)] = iri.string.slice(1, -1);
          return;
        }
        var local = null;
        var shownPrefix = null;
        var m = /^([A-Za-z][\w.-]*)?:(\S+)$/.exec(text);
        if (token.type === "string-2" && m) {
          var prefix = m[1] || "";
          var namespace = prefix in declared ? declared[prefix] : vocabulary.prefixes[prefix];
          if (namespace !== ns) return;
          local = m[2];
          shownPrefix = prefix + ":";
        } else if (token.type === "variable-3" && text.indexOf("<" + ns) === 0) {
          local = text.slice(ns.length + 1, -1);
        }
        if (!local || ontologyNames[local]) return;
        var near = suggestion(local);
        var shown = shownPrefix ? shownPrefix + local : text;
        var message = shown + " is not in the ontology" +
          (near ? "; did you mean " + (shownPrefix ? shownPrefix + near : "<" + ns + near + ">") + "?" : "");
        if (messages.indexOf(message) < 0) messages.push(message);
        marks.push(yasqe.markText({line: line, ch: token.start}, {line: line, ch: token.end}, {
          className: "tskg-unknown-term", attributes: {title: message},
          css: "text-decoration: underline wavy #b35c00; text-underline-offset: 3px"
        }));
      });
    }
    showHints(messages);
  }

  // The endpoint's error: its line (and column) marked in the editor.
  var errorMark = null;
  function markError(yasqe, message) {
    if (errorMark) { errorMark.clear(); errorMark = null; }
    var m = /line (\d+), column (\d+)/.exec(message || "");
    if (!m) return;
    var line = Number(m[1]) - 1;
    var column = Number(m[2]) - 1;
    if (line < 0 || line >= yasqe.lineCount()) return;
    var end = yasqe.getLine(line).length;
    errorMark = yasqe.markText({line: line, ch: Math.min(column, Math.max(0, end - 1))}, {line: line, ch: end}, {
      className: "tskg-error-mark", attributes: {title: message.trim()},
      css: "background: #fdecea; text-decoration: underline wavy #c00000; text-underline-offset: 3px"
    });
  }

  function watchHints(tab) {
    var yasqe = tab && tab.getYasqe();
    if (!yasqe || yasqe.tskgHints) return;
    yasqe.tskgHints = true;
    var timer = null;
    yasqe.on("change", function () {
      if (errorMark) { errorMark.clear(); errorMark = null; }
      clearTimeout(timer);
      timer = setTimeout(function () { checkTerms(yasqe); }, 250);
    });
    yasqe.on("queryResponse", function (instance, response) {
      if (response instanceof Error) {
        markError(yasqe, response.message);
        return;
      }
      var warning = response && response.headers && response.headers.get("X-TSKG-Warning");
      if (warning) showHints(warning.split(/, (?=\S+ is not in the ontology)/));
    });
    checkTerms(yasqe);
  }

  yasgui.on("tabSelect", function () { setTimeout(function () { watchHints(yasgui.getTab()); checkTerms(yasgui.getTab().getYasqe()); }, 0); });
  yasgui.on("tabAdd", function () { setTimeout(function () { watchHints(yasgui.getTab()); }, 0); });
  watchHints(yasgui.getTab());

  // --- examples: the saved queries ---------------------------------------------------------------------

  var form = document.getElementById("examples-form");
  var select = document.getElementById("example");
  var description = document.getElementById("example-description");
  var examples = {};

  function describe() {
    var chosen = examples[select.value];
    description.textContent = chosen ? chosen.description || "" : "";
    if (!chosen || !chosen.parameters.length) return;
    // In the editor a parameter is a plain, unbound variable.
    var names = chosen.parameters.map(function (p) { return "?" + p.variable; }).join(", ");
    description.appendChild(document.createTextNode(
      " In the editor " + names + (chosen.parameters.length > 1 ? " are unbound variables" : " is an unbound variable") +
      ": bind it in the text, or "));
    var link = document.createElement("a");
    link.href = settings.savedQueryPage.replace(/\/?$/, "/") + encodeURIComponent(chosen.name);
    link.textContent = "run it with a value";
    description.appendChild(link);
    description.appendChild(document.createTextNode("."));
  }

  fetch(settings.savedQueries, {headers: {"Accept": "application/json"}})
    .then(function (response) {
      if (!response.ok) throw new Error("saved queries: HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      data.queries.forEach(function (q) {
        examples[q.name] = q;
        var option = document.createElement("option");
        option.value = q.name;
        option.textContent = q.title || q.name;
        select.appendChild(option);
      });
      form.hidden = data.queries.length === 0;
      describe();
    })
    .catch(function (err) { console.warn(err); });

  select.addEventListener("change", describe);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = examples[select.value];
    var tab = yasgui.getTab();
    if (!chosen || !tab) return;
    tab.setQuery(chosen.query);
    tab.setName(chosen.title || chosen.name);
    syncLink();
    tab.query().catch(function () {});  // errors are shown by YASR
  });
})();

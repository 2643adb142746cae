// Suggestions under a text box, from this server's /search (JSON), as an ARIA 1.2 combobox: the list opens
// as one types, Up and Down move through it, Enter takes the highlighted suggestion, Escape closes it.
// Without JavaScript the box is an ordinary form field.
//
//   <input data-suggest="/search">                      the header's box: a suggestion opens its page; Enter
//                                                      with none highlighted sends the form (the results page)
//   <input data-suggest="/search" data-suggest-pick     a saved query's parameter: a suggestion writes its
//          data-suggest-type="tsk:Person"              prefixed name into the box (only things of these
//          data-suggest-describe="ID">                 classes, space-separated) and its label into #ID
(function () {
  "use strict";
  var DELAY_MS = 120;
  var LIMIT = 8;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function capitalised(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
  }

  function setup(input, n) {
    var pick = input.hasAttribute("data-suggest-pick");
    var types = (input.getAttribute("data-suggest-type") || "").split(/\s+/).filter(Boolean);
    var describe = document.getElementById(input.getAttribute("data-suggest-describe") || "");
    var listId = (input.id || "suggest-" + n) + "-suggestions";
    var list = el("ul", {id: listId, role: "listbox", class: "suggestions", "aria-label": "Suggestions"});
    list.hidden = true;
    var status = el("span", {role: "status", class: "visually-hidden"});
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var options = [];  // [{node, choose}]
    var active = -1;
    var timer = null;
    var pending = null;

    function highlight(index) {
      if (active >= 0 && options[active]) options[active].node.setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0) {
        options[active].node.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].node.id);
        options[active].node.scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function add(content, choose) {
      var node = el("li", {role: "option", id: listId + "-" + options.length, "aria-selected": "false"});
      content.forEach(function (part) { node.appendChild(part); });
      node.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
      node.addEventListener("click", choose);
      list.appendChild(node);
      options.push({node: node, choose: choose});
    }

    function chosen(hit) {
      if (!pick) {
        window.location.href = hit.href;
        return;
      }
      input.value = hit.curie;
      if (describe) describe.textContent = hit.label + (hit.kind ? " (" + hit.kind + ")" : "");
      close();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function show(data, text) {
      list.textContent = "";
      options = [];
      active = -1;
      data.results.forEach(function (hit) {
        var parts = [el("span", {class: "suggestion-label"}, hit.label)];
        if (hit.kind) parts.push(el("span", {class: "suggestion-kind"}, capitalised(hit.kind)));
        if (hit.matched) parts.push(el("span", {class: "suggestion-matched"}, hit.matched));
        add(parts, function () { chosen(hit); });
      });
      if (!pick && data.total > 0) {
        var all = new URL(input.getAttribute("data-suggest"), window.location.href);
        all.searchParams.set("q", text);
        add([el("span", {class: "suggestion-all"}, "All " + data.total + " results for \u201c" + text + "\u201d")],
            function () { window.location.href = all.href; });
      }
      status.textContent = data.total ? data.results.length + " suggestions" : "No match";
      if (!options.length) {
        close();
        return;
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      // Opened under a box near the window's right edge, the list grows leftwards instead.
      list.classList.remove("flipped");
      if (list.getBoundingClientRect().right > document.documentElement.clientWidth) list.classList.add("flipped");
    }

    function lookUp() {
      var text = input.value;
      if (!text.trim() && !(pick && types.length)) {
        close();
        return;
      }
      if (pending) pending.abort();
      pending = new AbortController();
      var url = new URL(input.getAttribute("data-suggest"), window.location.href);
      url.searchParams.set("q", text.slice(0, 200));
      url.searchParams.set("limit", String(LIMIT));
      types.forEach(function (t) { url.searchParams.append("type", t); });
      fetch(url.href, {headers: {"Accept": "application/json"}, signal: pending.signal})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && input.value === text) show(data, text); })
        .catch(function () { /* aborted by a newer request, or the server is away: no suggestions */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (describe) describe.textContent = "";
      timer = setTimeout(lookUp, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) {
          lookUp();
          return;
        }
        event.preventDefault();
        // Through the suggestions and back to the text itself (-1), round and round.
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        highlight(next >= options.length ? -1 : next < -1 ? options.length - 1 : next);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        options[active].choose();
      } else if (event.key === "Escape") {
        clearTimeout(timer);  // no list opens after it
        if (pending) pending.abort();
        if (!list.hidden) {
          event.preventDefault();  // the first Escape closes the list, a second one clears the box
          close();
        }
      }
    });
    input.addEventListener("blur", close);
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), setup);
})();

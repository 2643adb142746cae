/* What the network and timeline views share: building elements safely (text, never HTML strings from
   the data) and showing the sentences of the article behind an item, with the quoted words marked. */
"use strict";

window.tskgViews = (function () {
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* The sentence's text with each of `marks` (quoted words) in <mark>. */
  function marked(text, marks) {
    const out = document.createDocumentFragment();
    let rest = text;
    const sorted = (marks || []).filter((m) => m && text.includes(m)).sort((a, b) => text.indexOf(a) - text.indexOf(b));
    for (const mark of sorted) {
      const at = rest.indexOf(mark);
      if (at < 0) continue;
      out.append(rest.slice(0, at), el("mark", { text: mark }));
      rest = rest.slice(at + mark.length);
    }
    out.append(rest);
    return out;
  }

  /* Figures of the sentences numbered `numbers`, from `texts` (number -> text). */
  function sentences(numbers, texts, marks) {
    const out = document.createDocumentFragment();
    for (const n of numbers || []) {
      const text = texts[String(n)];
      if (!text) continue;
      out.append(el("figure", { className: "quote" }, [
        el("blockquote", {}, [marked(text, marks)]),
        el("figcaption", { text: n === 0 ? "The title of the article" : `Sentence ${n} of the article` }),
      ]));
    }
    return out;
  }

  /* The value read from context, with its reason and sentences. */
  function inference(reason, numbers, texts) {
    if (!reason) return null;
    return el("div", { className: "inference" }, [
      el("p", {}, [el("span", { className: "badge", text: "read from context" }), " ", reason]),
      sentences(numbers, texts, []),
    ]);
  }

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
      return r.json();
    });
  }

  return { el, marked, sentences, inference, fetchJson };
})();

/* /network: the actors and their links drawn with cytoscape (served from /static/vendor, never a CDN),
   from the JSON the script's data-source names. Filters by kind of link, kind of actor and time; a link's
   sentences on hover (drawing) or focus (list); a click on an actor opens its page. */
"use strict";

(function () {
  const { el, sentences, inference, fetchJson } = window.tskgViews;
  const source = document.currentScript.dataset.source;
  const container = document.getElementById("network");
  const status = document.getElementById("network-status");
  const detail = document.getElementById("network-detail");
  const list = document.getElementById("link-list");
  const form = document.getElementById("network-filters");

  // Colours pass 3:1 against white (WCAG 1.4.11); shapes tell the kinds of actor apart without colour.
  const EDGE = {
    office: "#0b5cad", membership: "#1b7f5a", agreement: "#b56b00", stance: "#9b3f8f", event: "#1d7f91",
    statement: "#c2410c", stake: "#7a5c12", affiliation: "#6b7280",
  };
  const NODE = {
    state: ["#8a1c1c", "round-rectangle"], person: ["#0b5cad", "ellipse"], party: ["#6b4fa0", "diamond"],
    organisation: ["#1b7f5a", "hexagon"], company: ["#b45309", "rectangle"], group: ["#4b5563", "round-triangle"],
  };

  fetchJson(source).then(draw).catch((err) => { status.textContent = `The network could not be loaded: ${err.message}`; });

  function draw(data) {
    const actorsById = Object.fromEntries(data.actors.map((a) => [a.id, a]));
    const linksById = Object.fromEntries(data.links.map((l) => [l.id, l]));
    const kindLabels = Object.fromEntries(data.kinds.map((k) => [k.id, k.label]));
    const n = data.actors.length;
    // One line per pair of actors and kind of link (a bundle), as wide as the links it holds.
    const bundles = {};
    for (const l of data.links) {
      const [x, y] = [l.source, l.target].sort();
      const key = `${x} ${y} ${l.kind}`;
      if (!bundles[key]) bundles[key] = { id: `b${Object.keys(bundles).length}`, source: x, target: y, kind: l.kind, links: [] };
      bundles[key].links.push(l.id);
      l.bundle = bundles[key].id;
    }
    const bundleById = Object.fromEntries(Object.values(bundles).map((b) => [b.id, b]));
    // A fixed starting circle, so that the layout (and every screenshot) is the same on each load.
    const elements = data.actors.map((a, i) => ({
      group: "nodes", data: { id: a.id, label: a.label, kind: a.kind, href: a.href },
      position: { x: 400 * Math.cos((2 * Math.PI * i) / n), y: 400 * Math.sin((2 * Math.PI * i) / n) },
    }));
    for (const b of Object.values(bundles)) {
      const inferred = b.links.every((id) => linksById[id].inferred);
      elements.push({ group: "edges", data: { id: b.id, source: b.source, target: b.target, kind: b.kind, count: b.links.length },
                      classes: inferred ? "inferred" : "" });
    }
    const style = [
      { selector: "node", style: {
        label: "data(label)", "font-size": 11, color: "#1f2328", "text-valign": "bottom", "text-margin-y": 3,
        "text-outline-color": "#fff", "text-outline-width": 2, width: 18, height: 18, "border-width": 1,
        "border-color": "#fff", "text-wrap": "wrap", "text-max-width": 110 } },
      ...Object.entries(NODE).map(([kind, [colour, shape]]) => ({
        selector: `node[kind = "${kind}"]`, style: { "background-color": colour, shape } })),
      { selector: 'node[kind = "state"]', style: { width: 30, height: 24, "font-weight": "bold", "font-size": 14 } },
      { selector: "edge", style: { width: "mapData(count, 1, 12, 1.6, 9)", "curve-style": "bezier", opacity: 0.75,
                                   "control-point-step-size": 14 } },
      ...Object.entries(EDGE).map(([kind, colour]) => ({ selector: `edge[kind = "${kind}"]`, style: { "line-color": colour } })),
      { selector: "edge.inferred", style: { "line-style": "dashed" } },
      { selector: "edge.picked", style: { opacity: 1, "z-index": 10, "underlay-color": "#f5c400", "underlay-opacity": 0.6, "underlay-padding": 3 } },
      { selector: "node.picked", style: { "border-width": 3, "border-color": "#1f2328" } },
    ];
    const cy = cytoscape({
      container, elements, style, minZoom: 0.2, maxZoom: 3,
      layout: { name: "cose", animate: false, randomize: false, fit: true, padding: 30, nodeRepulsion: () => 400000,
                idealEdgeLength: () => 80, edgeElasticity: () => 60, gravity: 30, componentSpacing: 60, nodeOverlap: 20,
                numIter: 2500 },
    });
    window.tskgNetwork = cy;  // for the browser tests and the curious

    cy.on("tap", "node", (event) => { const href = event.target.data("href"); if (href) window.location.href = href; });
    cy.on("mouseover", "node", () => { container.style.cursor = "pointer"; });
    cy.on("mouseout", "node", () => { container.style.cursor = ""; });
    cy.on("mouseover tap", "edge", (event) => show(bundleById[event.target.id()].links.filter((id) => !items[id].hidden)));

    const items = {};
    for (const l of data.links) {
      const a = actorsById[l.source], b = actorsById[l.target];
      const when = l.time ? ` (${l.time.text})` : "";
      const button = el("button", { type: "button", className: "link-button", "data-link": l.id }, [
        el("span", { className: `swatch edge-${l.kind}`, "aria-hidden": "true" }),
        `${a.label} – ${b.label}: `, el("span", { text: `${l.label}${when}` }),
        l.inferred ? el("span", { className: "badge", text: "read from context" }) : null,
      ]);
      button.addEventListener("focus", () => show([l.id]));
      button.addEventListener("mouseenter", () => show([l.id]));
      button.addEventListener("click", () => show([l.id]));
      items[l.id] = el("li", { "data-kind": l.kind }, [button]);
      list.append(items[l.id]);
    }

    function describe(l) {
      return el("div", { className: "link-detail" }, [
        el("p", {}, [el("span", { className: `swatch edge-${l.kind}`, "aria-hidden": "true" }), `${kindLabels[l.kind] || l.kind}: `,
                     l.href ? el("a", { href: l.href, text: l.label }) : l.label,
                     l.time ? el("span", { className: "muted", text: ` · ${l.time.text}` }) : null]),
        sentences(l.sentences, data.sentences, l.marks),
        inference(l.reason || (l.time && l.time.reason), l.reason_sentences || (l.time && l.time.reason_sentences), data.sentences),
      ].filter(Boolean));
    }

    function show(ids) {
      if (!ids.length) return;
      const first = linksById[ids[0]];
      const a = actorsById[first.source], b = actorsById[first.target];
      cy.elements(".picked").removeClass("picked");
      cy.getElementById(first.bundle).addClass("picked").connectedNodes().addClass("picked");
      detail.replaceChildren(...[
        el("h2", { text: ids.length > 1 ? `The sentences behind ${ids.length} links` : "The sentences behind a link" }),
        el("p", { className: "link-ends" }, [el("a", { href: a.href, text: a.label }), " – ", el("a", { href: b.href, text: b.label })]),
        ...ids.map((id) => describe(linksById[id])),
      ].filter(Boolean));
    }

    function timeOk(l, from, to, week, undated) {
      if (!l.time) return undated;
      if (l.time.lane === "week") return week;
      if (l.time.first_year === undefined) return undated;
      const last = l.time.last_year === undefined ? l.time.first_year : l.time.last_year;
      return l.time.first_year <= to && last >= from;
    }

    function apply() {
      const f = new FormData(form);
      const links = new Set(f.getAll("link")), kinds = new Set(f.getAll("actor"));
      const years = data.years.length ? data.years : [0];
      const from = Number(f.get("from") || years[0]), to = Number(f.get("to") || years[years.length - 1]);
      const week = f.get("week") !== null, undated = f.get("undated") !== null;
      const shown = {};
      let shownLinks = 0;
      for (const l of data.links) {
        const visible = links.has(l.kind) && timeOk(l, Math.min(from, to), Math.max(from, to), week, undated)
          && kinds.has(actorsById[l.source].kind) && kinds.has(actorsById[l.target].kind);
        items[l.id].hidden = !visible;
        if (visible) { shown[l.bundle] = (shown[l.bundle] || 0) + 1; shownLinks += 1; }
      }
      cy.batch(() => {
        cy.nodes().forEach((node) => { node.style("display", kinds.has(node.data("kind")) ? "element" : "none"); });
        cy.edges().forEach((edge) => {
          edge.style("display", shown[edge.id()] ? "element" : "none");
          if (shown[edge.id()]) edge.data("count", shown[edge.id()]);
        });
      });
      const shownActors = cy.nodes().filter((node) => node.style("display") !== "none").length;
      status.textContent = `${shownActors} of ${n} actors and ${shownLinks} of ${data.links.length} links shown.`;
    }

    form.addEventListener("change", apply);
    apply();
  }
})();

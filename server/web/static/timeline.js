/* /timeline: the dated items drawn with vis-timeline (served from /static/vendor), from the JSON the
   script's data-source names: one timeline for what is dated to a year, one lane of its own for the week
   of the article (month-day dates without a year, and "this week"). Filter by one actor or a pair;
   every item's sentence in the detail panel and in the list in time order. */
"use strict";

(function () {
  const { el, sentences, inference, fetchJson } = window.tskgViews;
  const source = document.currentScript.dataset.source;
  const status = document.getElementById("timeline-status");
  const detail = document.getElementById("timeline-detail");
  const list = document.getElementById("time-list");
  const form = document.getElementById("timeline-filters");
  const WEEK_YEAR = 2000;  // a stand-in year for the day axis of the week lane; never shown

  fetchJson(source).then(draw).catch((err) => { status.textContent = `The timeline could not be loaded: ${err.message}`; });

  function weekDate(monthDay, plusDays) {
    const d = new Date(`${WEEK_YEAR}-${monthDay}T00:00:00`);
    d.setDate(d.getDate() + (plusDays || 0));
    return d;
  }

  function draw(data) {
    const byId = Object.fromEntries(data.items.map((i) => [i.id, i]));
    const names = Object.fromEntries(data.actors.map((a) => [a.name, a]));
    const monthDays = data.items.filter((i) => i.time.lane === "week" && i.time.month_day).map((i) => i.time.month_day).sort();
    const weekStart = monthDays.length ? weekDate(monthDays[0], -2) : weekDate("10-01");
    const weekEnd = monthDays.length ? weekDate(monthDays[monthDays.length - 1], 3) : weekDate("10-08");

    function content(item) {
      return el("span", { className: "item-label", "data-fact": item.id,
                          "data-year": item.time.first_year === undefined ? null : item.time.first_year,
                          "data-month-day": item.time.month_day || null }, [item.label]);
    }
    function tooltip(item) {
      const first = item.sentences.length ? data.sentences[String(item.sentences[0])] : "";
      return `${item.time.text} · ${item.label}${first ? `\n“${first}”` : ""}`;
    }
    function classes(item) {
      return [`kind-${item.lane.replace(/ /g, "-")}`, item.time.inferred ? "inferred" : "stated", item.time.open_end ? "open-end" : ""].join(" ");
    }
    // One row per item, in time order (a newsroom timeline): its label beside its bar, on the side with room.
    const years = data.years.length ? data.years : [2000, 2001];
    const windowStart = Date.parse(`${years[0] - 1}-07-01`), windowEnd = Date.parse(`${years[1] + 1}-07-01`);
    function mainItem(item, row) {
      const roomLeft = Date.parse(item.time.start) - windowStart, roomRight = windowEnd - Date.parse(item.time.end);
      const side = roomLeft > roomRight ? "label-left" : "label-right";
      return { id: item.id, group: "all", subgroup: `r${String(row).padStart(3, "0")}`, start: item.time.start,
               end: item.time.end, type: "range", content: content(item), title: tooltip(item),
               className: `${classes(item)} ${side}` };
    }
    function weekItem(item) {
      if (item.time.month_day) {
        const start = weekDate(item.time.month_day), end = weekDate(item.time.month_day, 1);
        const side = start - weekStart > weekEnd - end ? "label-left" : "label-right";
        return { id: item.id, group: "day", start, end, type: "range", content: content(item), title: tooltip(item),
                 className: `${classes(item)} ${side}` };
      }
      return { id: item.id, group: "week", start: weekStart, end: weekEnd, type: "range", content: content(item),
               title: tooltip(item), className: `${classes(item)} whole-week` };
    }

    const mainItems = new vis.DataSet();
    const weekItems = new vis.DataSet();
    const main = new vis.Timeline(document.getElementById("timeline"), mainItems, new vis.DataSet([
      { id: "all", content: "", subgroupOrder: (a, b) => (a.subgroup < b.subgroup ? -1 : a.subgroup > b.subgroup ? 1 : 0) },
    ]), {
      rtl: false, stack: false, stackSubgroups: true, orientation: "top", zoomKey: "ctrlKey", showCurrentTime: false,
      margin: { item: { horizontal: 2, vertical: 4 } },
      tooltip: { followMouse: true, overflowMethod: "cap" }, format: { minorLabels: { year: "YYYY" } },
    });
    const week = new vis.Timeline(document.getElementById("week-timeline"), weekItems, new vis.DataSet([
      { id: "day", content: "Dated to the day, no year", order: 0 },
      { id: "week", content: "“This week”, no day", order: 1 },
    ]), {
      rtl: false, stack: true, orientation: "top", zoomKey: "ctrlKey", showCurrentTime: false, groupOrder: "order",
      min: weekStart, max: weekEnd, showMajorLabels: false,
      margin: { item: { horizontal: 2, vertical: 4 } }, tooltip: { followMouse: true, overflowMethod: "cap" },
      format: { minorLabels: { day: "D MMMM", weekday: "D MMMM", hour: "D MMMM", millisecond: "", second: "", minute: "" } },
    });
    // The windows are set once the timelines exist: given as start and end options, vis-timeline keeps a
    // timeline hidden behind its loading screen until a first change of the window, which a window equal to
    // its bounds (the week lane's min and max) may never make.
    main.setWindow(windowStart, windowEnd, { animation: false });
    week.setWindow(weekStart, weekEnd, { animation: false });
    window.tskgTimeline = { main, week, data };  // for the browser tests and the curious

    function show(id) {
      const item = byId[id];
      if (!item) return;
      const when = item.time;
      detail.replaceChildren(...[
        el("h2", { text: "The sentence behind an item" }),
        el("p", {}, [el("a", { href: item.href, text: item.label })]),
        el("p", { className: "muted" }, [`${item.kind}${item.type ? ` (${item.type}${item.code ? `, CAMEO ${item.code}` : ""})` : ""} · ${when.text}`,
          when.inferred ? " " : null, when.inferred ? el("span", { className: "badge", text: "read from context" }) : null]),
        sentences(item.sentences, data.sentences, item.marks),
        inference(when.reason, when.reason_sentences, data.sentences),
      ].filter(Boolean));
    }
    function select(id) {
      (byId[id].time.lane === "week" ? week : main).setSelection([id], { focus: true });
      (byId[id].time.lane === "week" ? main : week).setSelection([]);
      show(id);
    }
    main.on("select", (props) => { if (props.items.length) { week.setSelection([]); show(props.items[0]); } });
    week.on("select", (props) => { if (props.items.length) { main.setSelection([]); show(props.items[0]); } });

    const entries = {};
    for (const item of data.items) {
      const show = el("button", { type: "button", className: "link-button small", text: "Show" });
      show.addEventListener("click", () => select(item.id));
      entries[item.id] = el("li", { "data-fact": item.id, className: item.time.inferred ? "inferred" : "" }, [
        el("p", {}, [el("strong", { className: "when", text: item.time.text }), " · ",
                     el("a", { href: item.href, text: item.label }), el("span", { className: "muted", text: ` · ${item.kind}` }),
                     item.time.inferred ? " " : null, item.time.inferred ? el("span", { className: "badge", text: "read from context" }) : null,
                     " ", show]),
        sentences(item.sentences, data.sentences, item.marks),
      ]);
      list.append(entries[item.id]);
    }

    function apply() {
      const f = new FormData(form);
      const chosen = [f.get("a"), f.get("b")].filter(Boolean).map((n) => names[n] && names[n].id).filter(Boolean);
      const shown = data.items.filter((i) => chosen.every((a) => i.actors.includes(a)));
      mainItems.clear(); weekItems.clear();
      mainItems.add(shown.filter((i) => i.time.lane === "main").map((item, row) => mainItem(item, row)));
      weekItems.add(shown.filter((i) => i.time.lane === "week").map(weekItem));
      const visible = new Set(shown.map((i) => i.id));
      for (const [id, li] of Object.entries(entries)) li.hidden = !visible.has(id);
      const who = [f.get("a"), f.get("b")].filter((n) => n && names[n]).map((n) => names[n].label);
      status.textContent = who.length
        ? `${shown.length} of ${data.items.length} items involve ${who.join(" and ")}.`
        : `${data.items.length} dated items.`;
      const params = new URLSearchParams();
      for (const p of ["a", "b"]) if (f.get(p)) params.set(p, f.get(p));
      history.replaceState(null, "", params.toString() ? `?${params}` : window.location.pathname);
    }
    form.addEventListener("change", apply);
    apply();
  }
})();

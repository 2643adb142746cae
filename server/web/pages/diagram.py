"""A class diagram of the ontology as SVG, generated from the ontology's triples (never drawn by hand).

Boxes are the classes of our namespace; solid grey lines with a hollow triangle are rdfs:subClassOf
(UML generalisation); blue curves with an arrow are object properties, drawn from each class of
the property's domain to each class of its range (owl:unionOf expanded; several properties between the
same two classes share one curve).

Layout (a small layered layout, no dependency): a class sits one layer below its lowest superclass;
classes without a superclass in the ontology form the top layer. Within a layer, classes are ordered by
the barycentre of their neighbours (sub-classes and object properties) over a few sweeps, so related
classes end up close; long layers wrap onto several rows. Property labels are placed along their curve
where they do not overlap an earlier label.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable
from xml.sax.saxutils import escape

import pyoxigraph as ox

from ...namespaces import ONTOLOGY, PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
OWL = PREFIXES["owl"]
RDFS = PREFIXES["rdfs"]
RDF = PREFIXES["rdf"]

FONT = 13          # px, class labels
SMALL = 11         # px, property labels
CHAR = 7.6         # mean advance of a FONT px sans-serif character (an estimate: SVG text cannot be measured here)
SMALL_CHAR = 6.3
BOX_H = 30
GAP_X = 34         # between sibling boxes
GAP_TREE = 90      # between the trees of a band
VGAP = 46          # between a parent and its row of children (the connector runs at half height)
BAND_GAP = 150     # between bands of trees: room for the property curves
MAX_BAND = 1700    # px; wider forests wrap onto another band
GRID = 4           # more children than this are set in rows of this many
TRUNK = 18         # indent of a grid of children, for the vertical connector left of it
MARGIN = 30
TOP = 80           # room for curves arching over the first row


@dataclass
class Node:
    iri: str
    label: str
    children: list = field(default_factory=list)
    x: float = 0.0   # left
    y: float = 0.0   # top
    sw: float = 0.0  # subtree width
    sh: float = 0.0  # subtree height
    rows: list = field(default_factory=list)  # children in rows (set by _measure)
    sx: float = 0.0  # left of the subtree (set by _place)

    @property
    def w(self) -> float:
        return max(70.0, len(self.label) * CHAR + 22)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + BOX_H / 2


@dataclass
class Model:
    classes: dict[str, Node]
    subclass: list[tuple[str, str]]                 # (child, parent)
    properties: dict[tuple[str, str], list[str]]    # (domain class, range class) → property labels


def read_model(triples: Iterable[ox.Triple], names: dict[str, str], namespace: str = ONTOLOGY) -> Model:
    idx: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        idx[t.subject][t.predicate.value].append(t.object)

    def ours(term) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(namespace)

    def typed(*kinds) -> list[ox.NamedNode]:
        return [s for s, props in idx.items() if ours(s) and any(ox.NamedNode(k) in props.get(RDF_TYPE, []) for k in kinds)]

    def rdf_list(node) -> list:
        out, guard = [], 0
        while isinstance(node, ox.BlankNode) and guard < 1000:
            out += idx[node].get(RDF + "first", [])
            rest = idx[node].get(RDF + "rest", [])
            node = rest[0] if rest else None
            guard += 1
        return out

    def members(term) -> list:
        if isinstance(term, ox.NamedNode):
            return [term]
        unions = idx[term].get(OWL + "unionOf", [])
        return rdf_list(unions[0]) if unions else []

    def label(iri: str) -> str:
        return names.get(iri) or iri[len(namespace):]

    # Sorted, so that the same ontology gives the same drawing whatever order its triples come in.
    classes = {c.value: Node(c.value, label(c.value)) for c in sorted(typed(OWL + "Class", RDFS + "Class"), key=lambda n: n.value)}
    subclass = sorted(
        {(c, p.value) for c in classes for p in idx[ox.NamedNode(c)].get(RDFS + "subClassOf", [])
         if isinstance(p, ox.NamedNode) and p.value in classes and p.value != c}
    )
    properties: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in sorted(typed(OWL + "ObjectProperty"), key=lambda n: n.value):
        domains = [m.value for d in idx[p].get(RDFS + "domain", []) for m in members(d) if ours(m) and m.value in classes]
        ranges = [m.value for r in idx[p].get(RDFS + "range", []) for m in members(r) if ours(m) and m.value in classes]
        for d in dict.fromkeys(domains):
            for r in dict.fromkeys(ranges):
                properties[(d, r)].append(label(p.value))
    return Model(classes, subclass, dict(properties))


def _depths(model: Model) -> dict[str, int]:
    parents = defaultdict(list)
    for child, parent in model.subclass:
        parents[child].append(parent)
    depth: dict[str, int] = {}

    def of(c: str, trail: frozenset = frozenset()) -> int:
        if c in depth:
            return depth[c]
        if c in trail:  # a sub-class cycle: cut it here
            return 0
        depth[c] = max((of(p, trail | {c}) + 1 for p in parents[c]), default=0)
        return depth[c]

    for c in model.classes:
        of(c)
    return depth


def _measure(n: Node) -> None:
    """Size of the subtree under `n`; its children set in rows (branches first, leaves in a grid)."""
    for c in n.children:
        _measure(c)
    if not n.children:
        n.sw, n.sh, n.rows = n.w, BOX_H, []
        return
    n.rows = [n.children[i:i + GRID] for i in range(0, len(n.children), GRID)]
    indent = TRUNK if len(n.rows) > 1 else 0
    row_widths = [sum(c.sw for c in row) + GAP_X * (len(row) - 1) for row in n.rows]
    n.sw = max(n.w, indent + max(row_widths))
    n.sh = BOX_H + sum(VGAP + max(c.sh for c in row) for row in n.rows)


def _place(n: Node, x0: float, y0: float) -> None:
    n.x = x0 + (n.sw - n.w) / 2
    n.y = y0
    n.sx = x0
    indent = TRUNK if len(n.rows) > 1 else 0
    y = y0 + BOX_H
    for row in n.rows:
        y += VGAP
        width = sum(c.sw for c in row) + GAP_X * (len(row) - 1)
        x = x0 + indent + (n.sw - indent - width) / 2 if len(n.rows) == 1 else x0 + indent
        for c in row:
            _place(c, x, y)
            x += c.sw + GAP_X
        y += max(c.sh for c in row)


def layout(model: Model) -> tuple[float, float, list[Node]]:
    """Position every class; return the drawing's width, height and the roots of the forest.

    Each class hangs under its most specific superclass (the deepest one); other superclass links are
    drawn as extra lines. The trees stand side by side, the best connected in the middle; classes with
    neither super- nor sub-classes form a row above them, each placed over the classes it connects to."""
    nodes = model.classes
    depth = _depths(model)
    primary: dict[str, str] = {}
    for child, parent in model.subclass:
        best = primary.get(child)
        if best is None or (-depth[parent], nodes[parent].label) < (-depth[best], nodes[best].label):
            primary[child] = parent
    for n in nodes.values():
        n.children = []
    for child in sorted(primary, key=lambda c: nodes[c].label.lower()):
        nodes[primary[child]].children.append(nodes[child])
    roots = [n for c, n in nodes.items() if c not in primary]
    trees = [n for n in roots if n.children]
    singles = [n for n in roots if not n.children]

    def tree_of(c: str) -> str:
        while c in primary:
            c = primary[c]
        return c

    degree = defaultdict(int)
    links = defaultdict(list)
    for (d, r), labels in model.properties.items():
        degree[tree_of(d)] += len(labels)
        degree[tree_of(r)] += len(labels)
        if d != r:
            links[d].append(r)
            links[r].append(d)
    for n in roots:
        _measure(n)

    # The trees: most connected in the middle, the rest alternately to either side; bands if too wide.
    ranked = sorted(trees, key=lambda n: (-degree[n.iri], -n.sw, n.label.lower()))
    ordered: list[Node] = []
    for i, n in enumerate(ranked):
        ordered.insert(0, n) if i % 2 else ordered.append(n)
    bands: list[list[Node]] = [[]]
    width = 0.0
    for n in ordered:
        if bands[-1] and width + GAP_TREE + n.sw > MAX_BAND:
            bands.append([])
            width = 0.0
        width += (GAP_TREE if bands[-1] else 0) + n.sw
        bands[-1].append(n)
    band_widths = [sum(n.sw for n in band) + GAP_TREE * (len(band) - 1) for band in bands if band]

    # The single classes: rows of at most the trees' width, over their neighbours where possible.
    single_width = sum(n.w + GAP_X for n in singles)
    total_w = max(band_widths + [min(single_width, MAX_BAND)]) + 2 * MARGIN
    single_rows = max(1, int(-(-single_width // (total_w - 2 * MARGIN)))) if singles else 0

    y = TOP + single_rows * (BOX_H + BAND_GAP)
    for band, bw in zip([b for b in bands if b], band_widths):
        x = (total_w - bw) / 2
        for n in band:
            _place(n, x, y)
            x += n.sw + GAP_TREE
        y += max(n.sh for n in band) + BAND_GAP
    height = y - BAND_GAP + 110  # and the legend

    def over_trees(n: Node) -> float:
        xs = [nodes[o].cx for o in links[n.iri] if tree_of(o) != n.iri and nodes[tree_of(o)].children]
        return sum(xs) / len(xs) if xs else float("inf")

    goal = {n.iri: over_trees(n) for n in singles}
    for n in singles:  # linked only to other single classes: beside them
        if goal[n.iri] == float("inf"):
            xs = [goal[o] for o in links[n.iri] if o in goal and goal[o] != float("inf")]
            if xs:
                goal[n.iri] = sum(xs) / len(xs) + 1

    def wanted(n: Node) -> float:
        return goal[n.iri]

    chosen = sorted(singles, key=lambda n: (wanted(n), -degree[n.iri], n.label.lower()))
    per_row = -(-len(chosen) // single_rows) if single_rows else 0
    for r in range(single_rows):
        row = chosen[r * per_row:(r + 1) * per_row]
        row_y = TOP + r * (BOX_H + BAND_GAP)
        unplaced = [n for n in row if wanted(n) == float("inf")]
        placed = [n for n in row if wanted(n) != float("inf")]
        x_prev = MARGIN - GAP_X
        for n in placed:
            n.x = max(wanted(n) - n.w / 2, x_prev + GAP_X)
            n.y = row_y
            x_prev = n.x + n.w
        for n in unplaced:  # not linked to any tree: after the others
            n.x, n.y = x_prev + GAP_X, row_y
            x_prev = n.x + n.w
        overflow = x_prev - (total_w - MARGIN)
        if overflow > 0:  # pushed past the right edge: slide the row back, keeping the gaps
            for n in reversed(row):
                limit = total_w - MARGIN - n.w if n is row[-1] else nxt.x - GAP_X - n.w
                n.x = min(n.x, limit)
                nxt = n
            shift = MARGIN - row[0].x
            if shift > 0:
                for n in row:
                    n.x += shift
    return total_w, height, roots


class _Labels:
    """Rectangles already taken (boxes, earlier labels), to keep new labels off them."""

    def __init__(self, boxes: list[tuple[float, float, float, float]]):
        self.placed = list(boxes)

    def free(self, x0, y0, x1, y1) -> bool:
        return all(x1 < a0 or x0 > a1 or y1 < b0 or y0 > b1 for a0, b0, a1, b1 in self.placed)

    def add(self, box):
        self.placed.append(box)


def _bezier(p0, p1, p2, p3, t):
    mt = 1 - t
    return tuple(mt**3 * a + 3 * mt**2 * t * b + 3 * mt * t**2 * c + t**3 * d for a, b, c, d in zip(p0, p1, p2, p3))


def _attr(value: str) -> str:
    """`value` escaped for a double-quoted XML attribute."""
    return escape(value, {'"': "&quot;"})


def _ident(iri: str, namespace: str) -> str:
    """A CSS-safe identifier for a class."""
    local = iri[len(namespace):] if iri.startswith(namespace) else iri
    return "c-" + "".join(ch if ch.isalnum() else "_" for ch in local)


STYLE = (
    ".class-diagram text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}"
    ".cls rect{fill:#fffdf5;stroke:#7a5c00;stroke-width:1.3}"
    ".cls text{font-size:13px;fill:#222}"
    ".cls:hover rect{fill:#ffe9a8}"
    ".tree{stroke:#6b6b6b;stroke-width:1.3;fill:none}"
    ".tree.extra{stroke-dasharray:5 4}"
    ".edge path{stroke:#2b6cb0;stroke-width:1.2;fill:none;opacity:.6}"
    ".edge text{font-size:11px;fill:#1a4f8a;paint-order:stroke;stroke:#fff;stroke-width:3.5px;stroke-linejoin:round}"
    ".legend{font-size:12px;fill:#333}"
    ".class-diagram:has(.cls:hover) .edge{opacity:.12}"
)


def class_diagram(
    triples: Iterable[ox.Triple],
    names: dict[str, str],
    *,
    href: Callable[[str], str | None] | None = None,
    namespace: str = ONTOLOGY,
) -> str:
    """The SVG text of the class diagram of the ontology in `triples`."""
    model = read_model(list(triples), names, namespace)
    nodes = model.classes
    width, height, roots = layout(model)
    ident = {iri: _ident(iri, namespace) for iri in nodes}
    # Hovering a class brings out its own properties (CSS :has; without it all stay visible).
    hover = "".join(
        f".class-diagram:has(#{i}:hover) .edge.{i}{{opacity:1}}.class-diagram:has(#{i}:hover) .edge.{i} path{{stroke-width:2;opacity:1}}"
        for i in ident.values()
    )
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="class-diagram" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="group" aria-labelledby="diagram-title">',  # a figure whose class boxes are links
        '<title id="diagram-title">Classes of the ontology: sub-class links and object properties</title>',
        "<defs>"
        '<marker id="gen" viewBox="0 0 14 14" refX="13" refY="7" markerWidth="14" markerHeight="14" '
        'markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M1,1 L13,7 L1,13 z" fill="#fff" stroke="#6b6b6b" stroke-width="1.3"/></marker>'
        '<marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#2b6cb0"/></marker>'
        "</defs>",
        f"<style>{STYLE}{hover}</style>",
        f'<g class="legend-box"><path class="tree" d="M{MARGIN},{height - 44} L{MARGIN + 40},{height - 44}" marker-end="url(#gen)"/>'
        f'<text class="legend" x="{MARGIN + 50}" y="{height - 40}">sub-class of (arrow at the super-class; dashed: a further super-class)</text>'
        f'<g class="edge"><path d="M{MARGIN},{height - 22} L{MARGIN + 40},{height - 22}" marker-end="url(#arr)"/></g>'
        f'<text class="legend" x="{MARGIN + 50}" y="{height - 18}">object property, from its domain to its range '
        f"(point at a class to pick out its properties)</text></g>",
    ]

    # Sub-class trees: an orthogonal connector per row of children, one arrow into the parent.
    out.append('<g class="subclass-links">')

    def connectors(n: Node) -> None:
        if not n.rows:
            return
        trunk_x = n.sx + TRUNK / 2 if len(n.rows) > 1 else None
        buses = []
        for row in n.rows:
            bus_y = min(c.y for c in row) - VGAP / 2
            xs = [c.cx for c in row]
            left = min(xs + ([trunk_x] if trunk_x is not None else []) + ([n.cx] if row is n.rows[0] else []))
            right = max(xs + ([n.cx] if row is n.rows[0] else []))
            parts = [f"M{left:.1f},{bus_y:.1f} L{right:.1f},{bus_y:.1f}"]
            parts += [f"M{c.cx:.1f},{bus_y:.1f} L{c.cx:.1f},{c.y:.1f}" for c in row]
            out.append(f'<path class="tree" d="{" ".join(parts)}"/>')
            buses.append(bus_y)
        if trunk_x is not None:
            out.append(f'<path class="tree" d="M{trunk_x:.1f},{buses[0]:.1f} L{trunk_x:.1f},{buses[-1]:.1f}"/>')
        names_of = ", ".join(c.label for row in n.rows for c in row)
        out.append(
            f'<path class="tree" d="M{n.cx:.1f},{buses[0]:.1f} L{n.cx:.1f},{n.y + BOX_H + 1:.1f}" marker-end="url(#gen)">'
            f"<title>{escape(names_of)}: sub-classes of {escape(n.label)}</title></path>"
        )
        for row in n.rows:
            for c in row:
                connectors(c)

    for r in roots:
        connectors(r)
    placed_tree = {(c.iri, p.iri) for p in nodes.values() for c in p.children}
    for child, parent in model.subclass:
        if (child, parent) not in placed_tree:
            c, p = nodes[child], nodes[parent]
            out.append(
                f'<path class="tree extra" d="M{c.cx:.1f},{c.y:.1f} L{p.cx:.1f},{p.y + BOX_H + 1:.1f}" marker-end="url(#gen)">'
                f"<title>{escape(c.label)} is also a sub-class of {escape(p.label)}</title></path>"
            )
    out.append("</g>")

    # Object properties: a curve from each domain class to each range class.
    taken = _Labels([(n.x - 2, n.y - 2, n.x + n.w + 2, n.y + BOX_H + 2) for n in nodes.values()])

    def side(a: Node, b: Node) -> str:
        if b.y > a.y + BOX_H + 10:
            return "bottom"
        if b.y + BOX_H < a.y - 10:
            return "top"
        return "top"

    ports = defaultdict(list)  # (iri, side) → [(other x, key)]
    edges = sorted(model.properties.items(), key=lambda kv: (nodes[kv[0][0]].y, nodes[kv[0][0]].x, nodes[kv[0][1]].x))
    for (d, r), _ in edges:
        if d == r:
            continue
        a, b = nodes[d], nodes[r]
        ports[(d, side(a, b))].append((b.cx, (d, r)))
        ports[(r, side(b, a))].append((a.cx, (d, r)))

    def port(n: Node, which: str, key) -> tuple[float, float]:
        users = sorted(ports[(n.iri, which)], key=lambda u: (u[0], u[1]))
        i = [u[1] for u in users].index(key)
        span = min(n.w - 14, 16 * (len(users) - 1))
        x = n.cx - span / 2 + (span * i / (len(users) - 1) if len(users) > 1 else span / 2)
        return x, (n.y + BOX_H if which == "bottom" else n.y)

    labels_svg = []
    out.append('<g class="property-links">')
    for (d, r), props in edges:
        a, b = nodes[d], nodes[r]
        text = ", ".join(props)
        classes = f"edge {ident[d]} {ident[r]}" if d != r else f"edge {ident[d]}"
        if d == r:  # a loop over the top right corner
            x0, y0 = a.x + a.w - 14, a.y
            x1, y1 = a.x + a.w, a.y + BOX_H / 2
            path = f"M{x0:.1f},{y0:.1f} C{x0:.1f},{y0 - 34:.1f} {x1 + 34:.1f},{y1:.1f} {x1 + 2:.1f},{y1:.1f}"
            candidates = [(x0 + 4, y0 - 26, "start"), (x0 - 10, y0 - 26, "end"), (x1 + 8, y1 + 20, "start")]
        else:
            s0, s1 = side(a, b), side(b, a)
            x0, y0 = port(a, s0, (d, r))
            x1, y1 = port(b, s1, (d, r))
            v0 = 1 if s0 == "bottom" else -1
            v1 = 1 if s1 == "bottom" else -1
            if s0 == s1 == "top":
                # An arch. Where its apex (at t = 0.5) would run into a box standing higher up between
                # the two ends, it goes over that box instead.
                lift = 36 + 0.16 * abs(x1 - x0) + 0.5 * abs(y1 - y0)
                apex = 0.125 * (y0 + y1) + 0.75 * (min(y0, y1) - lift)
                lo, hi = sorted((x0, x1))
                for n in sorted(nodes.values(), key=lambda n: -n.y):
                    higher = n.y + BOX_H < min(y0, y1) - 2
                    if higher and n.x < hi and n.x + n.w > lo and apex < n.y + BOX_H + 8:
                        apex = min(apex, n.y - 14)
                peak = max((apex - 0.125 * (y0 + y1)) / 0.75, 4.0)
                c0, c1 = (x0, peak), (x1, peak)
            else:
                bend = max(45.0, abs(y1 - y0) * 0.42)
                c0, c1 = (x0, y0 + v0 * bend), (x1, y1 + v1 * bend)
            tip = (x1, y1 + 2 * v1)
            path = f"M{x0:.1f},{y0:.1f} C{c0[0]:.1f},{c0[1]:.1f} {c1[0]:.1f},{c1[1]:.1f} {tip[0]:.1f},{tip[1]:.1f}"
            candidates = [
                (*_bezier((x0, y0), c0, c1, (x1, y1), t), "middle")
                for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8, 0.38, 0.62, 0.46, 0.54, 0.3, 0.7)
            ]
            mx, my = _bezier((x0, y0), c0, c1, (x1, y1), 0.5)
            candidates += [(mx + 6, my + 4, "start"), (mx - 6, my + 4, "end"), (mx + 6, my - 10, "start"),
                           (mx - 6, my - 10, "end"), (mx + 6, my + 16, "start"), (mx - 6, my + 16, "end")]
        title = f"{escape(a.label)} → {escape(b.label)}: {escape(text)}"
        w = len(text) * SMALL_CHAR + 6
        chosen = None
        for cx, cy, anchor in candidates:
            left = cx if anchor == "start" else cx - w if anchor == "end" else cx - w / 2
            box = (left - 2, cy - SMALL, left + w + 2, cy + 4)
            if taken.free(*box):
                chosen = (cx, cy, anchor, box)
                break
        if chosen is None:
            cx, cy, anchor = candidates[0]
            left = cx if anchor == "start" else cx - w if anchor == "end" else cx - w / 2
            chosen = (cx, cy, anchor, (left - 2, cy - SMALL, left + w + 2, cy + 4))
        taken.add(chosen[3])
        out.append(f'<g class="{classes}"><path d="{path}" marker-end="url(#arr)"><title>{title}</title></path></g>')
        labels_svg.append(
            f'<g class="{classes}"><text x="{chosen[0]:.1f}" y="{chosen[1]:.1f}" text-anchor="{chosen[2]}">'
            f"<title>{title}</title>{escape(text)}</text></g>"
        )
    out.append("</g>")

    # Classes over the lines; property labels over everything.
    out.append('<g class="classes">')
    for n in sorted(nodes.values(), key=lambda n: (n.y, n.x)):
        link = href(n.iri) if href else None
        box = (
            f'<g class="cls" id="{ident[n.iri]}" data-iri="{_attr(n.iri)}"><title>{escape(n.iri)}</title>'
            f'<rect x="{n.x:.1f}" y="{n.y:.1f}" width="{n.w:.1f}" height="{BOX_H}" rx="5"/>'
            f'<text x="{n.cx:.1f}" y="{n.y + BOX_H / 2 + FONT * 0.35:.1f}" text-anchor="middle">{escape(n.label)}</text></g>'
        )
        if link:
            box = f'<a href="{_attr(link)}" xlink:href="{_attr(link)}">{box}</a>'
        out.append(box)
    out.append("</g>")
    out.append('<g class="property-labels">' + "".join(labels_svg) + "</g>")
    out.append("</svg>")
    return "\n".join(out)

"""SHACL validation with the results of `server.checks.shacl_reference.shacl_validate` (pySHACL, inference "rdfs",
the ontology mixed in), in a fraction of the time. That function stays the reference;
tests/test_fastshacl.py checks that both give the same report.

Where pySHACL's time goes, and what is done instead (measured on 100k generated triples):

0. pySHACL validates every focus node, at about 0.1 ms per node and property shape, over an rdflib graph
   of about 1 KB per triple. server.checks.shacl_screen first decides in Python which focus nodes may have
   a result at all, and pySHACL validates only those (each shape's targets replaced by them), over the
   whole graph as before; when none may fail, pySHACL is not run and no rdflib graph is built (100k
   triples: 17 s → 4 s; a million: the difference between minutes and gigabytes, and seconds). The rest
   applies to what is left.

1. inference="rdfs" runs owlrl's RDFS closure, pass after pass over every triple. Here the closure
   comes from server.reasoning.fast (profile "rdfs": the same triples, compiled schema, one pass) and pySHACL
   validates data + ontology + closure with inference="none".
2. The shapes' SPARQL targets are whole-graph SELECTs that rdflib's SPARQL engine evaluates slowly
   (two thirds of the time at 10k). Every query pySHACL sends without bindings (a target) runs in
   pyoxigraph over the same triples (TargetStore), literals in its answers mapped back to the terms as
   written. Constraint queries (one focus node bound) stay in rdflib, so the values they report are the
   terms as written.
3. pySHACL checks a node shape's sh:property shapes one focus node at a time (a validate call, and
   its constraint components built anew, per node: about 0.3 ms each). In a copy of the shapes graph,
   each property shape that only one targeted node shape uses gets that node shape's targets instead of
   the sh:property link (`hoisted`), so pySHACL checks it once for all its focus nodes. A property
   shape's results name the property shape, not the node shape, so they are the same results.
   (pySHACL does not evaluate sh:target SPARQL targets on property shapes, so such a target is run
   once in pyoxigraph and handed over as the sh:targetNode list it selects.)
   Node shapes that are closed, deactivated, used inside other shapes, also classes (an implicit class
   target), property shapes themselves (their sh:property applies to their values), or use
   sh:qualifiedValueShapesDisjoint (which looks at the sibling property shapes) are left as they are.
4. pySHACL validates the graph in place (no copy), and with more than one CPU the shapes are shared
   out between worker processes forked once the graph is built (copy-on-write).

tests/test_shacl_differential.py compares both on random shapes and data, tests/test_shacl_w3c.py runs the W3C
suite through both. The documented differences (DOCUMENTED: the differential test sorts each divergence into them, and
tests/test_fastshacl.py pins the three about SPARQL targets) come from point 2, Oxigraph answering a SPARQL
target where pySHACL asks rdflib, but for the wording of pySHACL's messages about cycles of blank nodes.
"""


from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH
from rdflib.query import Result as QueryResult

from ..reasoning.reference import undo_owlrl_datatypes
from ..reasoning.fast import inferred_terms
from ..terms import to_rdflib
from .results import Report, Result
from .shacl_reference import report_results, sparql_parsed_once
from .shacl_screen import screen
from .shacl_targets import (  # noqa: F401 - TargetStore is part of this module's interface
    LIST_NESTING, NESTING, TARGETS, TargetStore, class_types, is_true, sparql_targets,
)

DOCUMENTED = {
    "mixed types": "A comparison of literals of types SPARQL 1.1 cannot compare (\"xy\"@en > 1, a double >= an "
                   "xsd:date) is a type error in Oxigraph, so the target does not select the node; rdflib's "
                   "engine answers true for some such pairs, or raises.",
    "date and time types": "Oxigraph orders xsd:gYear, xsd:gYearMonth, xsd:date ... values as XML Schema does "
                           "(\"2019\"^^xsd:gYear < \"2020\"^^xsd:gYear); rdflib compares none of them.",
    "canonical literals": "Oxigraph's store keeps literals in canonical form: an xsd:nonNegativeInteger, xsd:int, "
                          "xsd:byte ... as xsd:integer, \"1e3\"^^xsd:double as \"1000\", so DATATYPE(), STR() and "
                          "sameTerm() in a target see that form. (Literals a target selects as focus nodes are "
                          "mapped back to the terms as written.) The project's own targets read such literals "
                          "only through xsd:integer() casts and compare dates as strings, where both agree.",
    "messages about cycles": "pySHACL writes a value that is a cycle of blank nodes into its message to a depth "
                             "that depends on what it wrote before (it caches), so such a message can be cut at "
                             "another depth; the result is the same.",
    "literal focus nodes": "pySHACL's RDFS closure (owlrl) is generalized RDF: it types literals (\"-3\" a ex:C "
                           "from a range, every literal a rdfs:Resource), so a shape targeting such a class gets "
                           "literals as focus nodes. RDF has no literal subjects and the fast path (pyoxigraph) "
                           "none either, so it never makes a literal a focus node through the closure.",
}

# Below this many triples one process does it: forking and merging would cost more than it saves.
PARALLEL_FROM = 30_000


def validate(data: list, shapes: rdflib.Graph, ontology: list, workers: int | None = None,
             timings: dict | None = None, parallel_from: int = PARALLEL_FROM, rdfs: bool = True) -> Report:
    """Validate `data` (pyoxigraph triples) against `shapes` with `ontology` (pyoxigraph triples) mixed in,
    as shacl_validate(data, shapes, ontology) would. `timings` (if given) gets the time of each step.
    rdfs=False validates the triples as they are, as pySHACL's inference="none" does."""
    found = findings(data, shapes, ontology, workers=workers, timings=timings, parallel_from=parallel_from,
                     rdfs=rdfs)
    results = [r for r, _ in found]
    # shacl_validate's order; the rest of the key only settles ties, which its order leaves to chance.
    results.sort(key=lambda r: (r.focus or "", r.severity, r.message, r.path or "", r.value or "", r.shape or "",
                                r.constraint or ""))
    return Report(conforms=not any(r.severity == "Violation" for r in results), results=results)


def findings(data: list, shapes: rdflib.Graph, ontology: list, workers: int | None = None,
             timings: dict | None = None, parallel_from: int = PARALLEL_FROM,
             rdfs: bool = True) -> list[tuple[Result, dict]]:
    """validate()'s results, each with the rdflib terms it is about (as server.checks.shacl_reference.report_results)."""
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    triples = list(ontology) + list(data)
    if rdfs:
        triples += inferred_terms(triples, profile="rdfs")
    timings["rdfs"] = time.perf_counter() - started

    started = time.perf_counter()
    undo_owlrl_datatypes()
    store = TargetStore(triples)
    timings["targets"] = time.perf_counter() - started

    started = time.perf_counter()
    screened = screen(shapes, triples, store)
    timings["screen"] = time.perf_counter() - started
    timings["screened_nodes"] = sum(len(nodes) for nodes in screened.candidates.values())
    if not screened.needed:  # no node of the data can have a result: pySHACL has nothing to do
        return []

    started = time.perf_counter()
    graph = _rdflib_graph(triples)
    timings["graphs"] = time.perf_counter() - started

    started = time.perf_counter()
    shapes = hoisted(screened.shapes, store)
    if workers is None:
        workers = min(2, len(os.sched_getaffinity(0)))
    parts = (_share_out(shapes, store, workers) if workers > 1 and len(data) >= parallel_from else None) or [None]
    timings["shapes"] = time.perf_counter() - started
    started = time.perf_counter()
    global _WORK
    _WORK = (graph, store, shapes, parts)
    try:
        if len(parts) == 1:
            done = [_validate_part(0)]
        else:
            with multiprocessing.get_context("fork").Pool(len(parts)) as pool:
                done = pool.map(_validate_part, range(len(parts)))
        found = [r for rows, _ in done for r in rows]
        timings["pyshacl_parts"] = [round(seconds, 2) for _, seconds in done]
    finally:
        _WORK = None
    timings["pyshacl"] = time.perf_counter() - started
    return found


def _rdflib_graph(triples: list) -> rdflib.Graph:
    """rdflib_graph, converting each distinct term once (terms repeat: a third of the time at 100k)."""
    graph = rdflib.Graph()
    add = graph.store.add
    terms: dict = {}
    for t in triples:
        s, p, o = t
        rs = terms.get(s) or terms.setdefault(s, to_rdflib(s))
        rp = terms.get(p) or terms.setdefault(p, to_rdflib(p))
        ro = terms.get(o)
        if ro is None:
            ro = terms[o] = to_rdflib(o)
        add((rs, rp, ro), graph, False)
    return graph


_WORK: tuple | None = None  # (graph, store, shapes, parts) for the forked workers, which inherit it


def _validate_part(number: int) -> tuple[list[tuple[Result, dict]], float]:
    """The results for one part of the shapes, and the seconds it took."""
    started = time.perf_counter()
    graph, store, shapes, parts = _WORK
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    if parts[number] is not None:
        # The other parts' shapes lose their targets, so that they are only checked where a shape of this
        # part uses them; in a copy, since one worker process may well be handed more than one part.
        others = set().union(*(p for i, p in enumerate(parts) if i != number))
        mine = rdflib.Graph()
        for prefix, namespace in shapes.namespaces():
            mine.bind(prefix, namespace)
        for triple in shapes:
            if not (triple[0] in others and (triple[1] in TARGETS or triple[1] == SH.target)):
                mine.add(triple)
        shapes = mine
    with sparql_parsed_once(), _targets_in(store, graph):
        _, report_graph, _ = pyshacl.validate(
            graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True,
        )
    return report_results(report_graph), time.perf_counter() - started


@contextlib.contextmanager
def _targets_in(store: TargetStore, graph: rdflib.Graph):
    """Queries pySHACL sends to `graph` without bindings (SPARQL targets) run in `store`."""
    original = rdflib.Graph.query

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        answer = None
        if self is graph and not initBindings and isinstance(query_object, str):
            answer = store.select(query_object, prefixes={k: str(v) for k, v in (initNs or {}).items()} or None)
        if answer is None:
            return original(self, query_object, processor, result, initNs, initBindings, use_store_provided,
                            **kwargs)
        variables, rows = answer
        out = QueryResult("SELECT")
        out.vars = [rdflib.Variable(v) for v in variables]
        out.bindings = [{rdflib.Variable(k): v for k, v in row.items()} for row in rows]
        return out

    rdflib.Graph.query = query
    try:
        yield
    finally:
        rdflib.Graph.query = original


def _share_out(shapes: rdflib.Graph, store: TargetStore, workers: int) -> list[set | None]:
    """The targeted shapes in `workers` sets of about equal work, a shape's work estimated as its number of
    target nodes (counted in `store`, which holds the RDFS closure) times its property shapes plus one.
    [None] (one part) when a shape is also a class: its implicit target could not be taken away."""
    targeted = set()
    for predicate in TARGETS + (SH.target,):
        targeted |= set(shapes.subjects(predicate, None))
    classes = class_types(shapes)
    if any(True for c in classes for _ in shapes.subjects(RDF.type, c)):
        return [None]

    def count(query: str, term) -> int:
        return int(next(iter(store.query(query.replace("TERM", term.n3()))))[0].value)

    costs = []
    for shape in targeted:
        targets = 1 + sum(1 for _ in shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            targets += count("SELECT (COUNT(*) AS ?n) { ?x a TERM }", cls)
        for p in shapes.objects(shape, SH.targetSubjectsOf):
            targets += count("SELECT (COUNT(DISTINCT ?x) AS ?n) { ?x TERM ?y }", p)
        for p in shapes.objects(shape, SH.targetObjectsOf):
            targets += count("SELECT (COUNT(DISTINCT ?y) AS ?n) { ?x TERM ?y }", p)
        if (shape, SH.target, None) in shapes:
            targets += len(store) // 20  # a SPARQL target: assume it picks out many nodes
        costs.append((targets * (1 + len(list(shapes.objects(shape, SH.property)))), str(shape), shape))
    shares: list[tuple[int, set]] = [(0, set()) for _ in range(workers)]
    for cost, _, shape in sorted(costs, key=lambda c: (-c[0], c[1])):
        shares.sort(key=lambda s: s[0])
        shares[0] = (shares[0][0] + cost, shares[0][1] | {shape})
    return [mine for _, mine in shares if mine]


def hoisted(shapes: rdflib.Graph, store: TargetStore | None = None) -> rdflib.Graph:
    """A copy of `shapes` in which property shapes take the targets of the one node shape that uses them
    (see the module docstring, point 3). SPARQL targets are run in `store`; without it, node shapes
    with one are left as they are."""
    g = rdflib.Graph()
    for t in shapes:
        g.add(t)
    for prefix, namespace in shapes.namespace_manager.namespaces():
        g.bind(prefix, namespace)
    owners: dict = {}
    for node_shape, prop_shape in g.subject_objects(SH.property):
        owners.setdefault(prop_shape, set()).add(node_shape)
    nested = {o for p in NESTING for o in g.objects(None, p)}
    for p in LIST_NESTING:
        for head in g.objects(None, p):
            nested.update(rdflib.collection.Collection(g, head))
    classes = class_types(g)
    selected: dict = {}
    for prop_shape, node_shapes in owners.items():
        if len(node_shapes) != 1:
            continue
        (node_shape,) = node_shapes
        if (
            node_shape in nested
            or (node_shape, SH.path, None) in g  # a property shape's sh:property applies to its values
            or is_true(g, node_shape, SH.closed)
            or is_true(g, node_shape, SH.deactivated)
            or any(t in classes for t in g.objects(node_shape, RDF.type))
            or any(is_true(g, s, SH.qualifiedValueShapesDisjoint) for s in g.objects(node_shape, SH.property))
            or any(True for p in TARGETS + (SH.target,) for _ in g.objects(prop_shape, p))
        ):
            continue
        targets = [(p, o) for p in TARGETS for o in g.objects(node_shape, p)]
        if (node_shape, SH.target, None) in g:
            if node_shape not in selected:
                selected[node_shape] = sparql_targets(g, node_shape, store)
            if selected[node_shape] is None:
                continue
            targets += [(SH.targetNode, n) for n in selected[node_shape]]
        if not targets:
            continue
        g.remove((node_shape, SH.property, prop_shape))
        for p, o in targets:
            g.add((prop_shape, p, o))
    return g

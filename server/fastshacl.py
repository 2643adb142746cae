"""SHACL validation with the results of `server.validation.shacl_validate` (pySHACL, inference "rdfs",
the ontology mixed in), in a fraction of the time. That function stays the reference;
tests/test_fastshacl.py checks that both give the same report.

Where pySHACL's time goes, and what is done instead (measured on 100k generated triples):

1. inference="rdfs" runs owlrl's RDFS closure, pass after pass over every triple. Here the closure
   comes from server.rules (profile "rdfs": the same triples, compiled schema, one pass) and pySHACL
   validates data + ontology + closure with inference="none".
2. The shapes' SPARQL targets are whole-graph SELECTs that rdflib's SPARQL engine evaluates slowly
   (two thirds of the time at 10k). Every query pySHACL sends without bindings (a target) runs in
   pyoxigraph over the same triples. Constraint queries (one focus node bound) stay in rdflib, so the
   values they report are the terms as written: pyoxigraph's store normalises some literals
   (xsd:nonNegativeInteger becomes xsd:integer). A target only returns nodes; a target that tested
   such a datatype could select other nodes, which tests/test_fastshacl.py would show.
3. pySHACL checks a node shape's sh:property shapes one focus node at a time (a validate call, and
   its constraint components built anew, per node: about 0.3 ms each). In a copy of the shapes graph,
   each property shape that only one targeted node shape uses gets that node shape's targets instead of
   the sh:property link (`hoisted`), so pySHACL checks it once for all its focus nodes. A property
   shape's results name the property shape, not the node shape, so they are the same results.
   (pySHACL does not evaluate sh:target SPARQL targets on property shapes, so such a target is run
   once in pyoxigraph and handed over as the sh:targetNode list it selects.)
   Node shapes that are closed, deactivated, used inside other shapes, or use
   sh:qualifiedValueShapesDisjoint (which looks at the sibling property shapes) are left as they are.
4. pySHACL validates the graph in place (no copy), and with more than one CPU the shapes are shared
   out between worker processes forked once the graph is built (copy-on-write).
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

from .reasoning import undo_owlrl_datatypes
from .rules import inferred_triples
from .terms import to_rdflib
from .validation import Report, Result, _path_text, _sparql_parsed_once

# Below this many triples one process does it: forking and merging would cost more than it saves.
PARALLEL_FROM = 30_000


def validate(data: list, shapes: rdflib.Graph, ontology: list, workers: int | None = None,
             timings: dict | None = None, parallel_from: int = PARALLEL_FROM) -> Report:
    """Validate `data` (pyoxigraph triples) against `shapes` with `ontology` (pyoxigraph triples) mixed in,
    as shacl_validate(data, shapes, ontology) would. `timings` (if given) gets the time of each step."""
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    triples = list(ontology) + list(data)
    triples += inferred_triples(triples, profile="rdfs")
    timings["rdfs"] = time.perf_counter() - started

    started = time.perf_counter()
    undo_owlrl_datatypes()
    graph = _rdflib_graph(triples)
    store = ox.Store()
    store.bulk_extend(ox.Quad(*t) for t in triples)
    timings["graphs"] = time.perf_counter() - started

    started = time.perf_counter()
    shapes = hoisted(shapes, store)
    if workers is None:
        workers = min(2, len(os.sched_getaffinity(0)))
    parts = _share_out(shapes, store, workers) if workers > 1 and len(data) >= parallel_from else [None]
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
    results = [Result(**r) for r in found]
    # shacl_validate's order; the rest of the key only settles ties, which its order leaves to chance.
    results.sort(key=lambda r: (r.focus or "", r.severity, r.message, r.path or "", r.value or "", r.shape or "",
                                r.constraint or ""))
    return Report(conforms=not any(r.severity == "Violation" for r in results), results=results)


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


def _validate_part(number: int) -> tuple[list[dict], float]:
    """The results for one part of the shapes, and the seconds it took."""
    started = time.perf_counter()
    graph, store, shapes, parts = _WORK
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    if parts[number] is not None:
        # In this (forked) process only: the other parts' shapes lose their targets, so that they are
        # only checked where a shape of this part uses them.
        for shape in set().union(*(p for i, p in enumerate(parts) if i != number)):
            for predicate in TARGETS + (SH.target,):
                shapes.remove((shape, predicate, None))
    with _sparql_parsed_once(), _targets_in(store, graph):
        _, report_graph, _ = pyshacl.validate(
            graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True,
        )
    return [vars(r) for r in _results(report_graph)], time.perf_counter() - started


@contextlib.contextmanager
def _targets_in(store: ox.Store, graph: rdflib.Graph):
    """Queries pySHACL sends to `graph` without bindings (SPARQL targets) run in `store`."""
    original = rdflib.Graph.query

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        if self is not graph or initBindings or not isinstance(query_object, str):
            return original(self, query_object, processor, result, initNs, initBindings, use_store_provided,
                            **kwargs)
        solutions = store.query(query_object, prefixes={k: str(v) for k, v in (initNs or {}).items()} or None)
        if not isinstance(solutions, ox.QuerySolutions):
            return original(self, query_object, processor, result, initNs, initBindings, use_store_provided,
                            **kwargs)
        out = QueryResult("SELECT")
        out.vars = [rdflib.Variable(v.value) for v in solutions.variables]
        out.bindings = [
            {var: to_rdflib(value) for var, value in zip(out.vars, row) if value is not None} for row in solutions
        ]
        return out

    rdflib.Graph.query = query
    try:
        yield
    finally:
        rdflib.Graph.query = original


def _results(g: rdflib.Graph) -> list[Result]:
    """The report graph as Results, field for field as server.validation reads it."""
    out = []
    for node in g.subjects(RDF.type, SH.ValidationResult):
        severity = g.value(node, SH.resultSeverity)
        messages = [str(m) for m in g.objects(node, SH.resultMessage)]
        out.append(Result(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            message="; ".join(sorted(messages)) or "(no message)",
            focus=_n3(g.value(node, SH.focusNode)),
            path=_path_text(g, g.value(node, SH.resultPath)),
            value=_n3(g.value(node, SH.value)),
            shape=_n3(g.value(node, SH.sourceShape)),
            constraint=_n3(g.value(node, SH.sourceConstraintComponent)),
        ))
    return out


def _n3(term) -> str | None:
    return None if term is None else term.n3()


def _share_out(shapes: rdflib.Graph, store: ox.Store, workers: int) -> list[set | None]:
    """The targeted shapes in `workers` sets of about equal work, a shape's work estimated as its number of
    target nodes (counted in `store`, which holds the RDFS closure) times its property shapes plus one.
    [None] (one part) when a shape is also a class: its implicit target could not be taken away."""
    targeted = set()
    for predicate in TARGETS + (SH.target,):
        targeted |= set(shapes.subjects(predicate, None))
    if any(True for c in (RDFS.Class, rdflib.OWL.Class) for _ in shapes.subjects(RDF.type, c)):
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


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
NESTING = (SH.node, SH.qualifiedValueShape, SH["not"], SH.property)
LIST_NESTING = (SH["and"], SH["or"], SH.xone)


def hoisted(shapes: rdflib.Graph, store: ox.Store | None = None) -> rdflib.Graph:
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
    true = rdflib.Literal(True)
    selected: dict = {}
    for prop_shape, node_shapes in owners.items():
        if len(node_shapes) != 1:
            continue
        (node_shape,) = node_shapes
        targets = [(p, o) for p in TARGETS for o in g.objects(node_shape, p)]
        if (node_shape, SH.target, None) in g:
            if node_shape not in selected:
                selected[node_shape] = _sparql_targets(g, node_shape, store)
            if selected[node_shape] is None:
                continue
            targets += [(SH.targetNode, n) for n in selected[node_shape]]
        siblings = list(g.objects(node_shape, SH.property))
        if (
            not targets
            or node_shape in nested
            or (node_shape, SH.closed, true) in g
            or (node_shape, SH.deactivated, true) in g
            or (node_shape, RDF.type, RDFS.Class) in g
            or (node_shape, RDF.type, rdflib.OWL.Class) in g
            or any((s, SH.qualifiedValueShapesDisjoint, true) in g for s in siblings)
            or any(True for p in TARGETS for _ in g.objects(prop_shape, p))
        ):
            continue
        g.remove((node_shape, SH.property, prop_shape))
        for p, o in targets:
            g.add((prop_shape, p, o))
    return g


def _sparql_targets(g: rdflib.Graph, shape, store: ox.Store | None) -> set | None:
    """The nodes the SPARQL targets of `shape` select in `store`, or None when one of them is not a
    plain sh:SPARQLTarget (a target type with parameters, say) or there is no store."""
    if store is None:
        return None
    nodes = set()
    for target in g.objects(shape, SH.target):
        select = g.value(target, SH.select)
        if (target, RDF.type, SH.SPARQLTarget) not in g or select is None:
            return None
        declares = {d for o in g.subjects(RDF.type, rdflib.OWL.Ontology) for d in g.objects(o, SH.declare)}
        for prefixes in g.objects(target, SH.prefixes):
            declares |= set(g.objects(prefixes, SH.declare))
        header = "".join(
            f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n" for d in declares
        )
        for row in store.query(header + str(select)):
            if row["this"] is not None:
                nodes.add(to_rdflib(row["this"]))
    return nodes

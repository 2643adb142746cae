"""server.checks.shacl_fast against pySHACL (the reference, server.checks.shacl_reference.pyshacl_results) on random shapes and data.

A seeded generator writes small cases that use every constraint component the fast path handles (value type,
cardinality, value range, string, property pair, logical, shape-based and other constraints, sh:sparql
constraints), every kind of target (class, node, subjects-of, objects-of, implicit class, SPARQL target with
comparisons of numbers, xsd:gYear and datatypes), the shapes that stress hoisting (closed node shapes, with
"true" or "1"^^xsd:boolean; sh:qualifiedValueShapesDisjoint; property shapes of property shapes; property
shapes shared by two node shapes or with targets of their own; deactivated shapes; shapes that are also
classes) and the parallel split (every third case runs with two worker processes).

Each case is validated both ways and the reports compared result for result:

- without inference (rdfs=False, pySHACL inference "none"): the SHACL part alone, which must be equal, except
  where a documented difference explains the divergence (see DOCUMENTED in server/checks/shacl_fast.py): a SPARQL
  target answered differently by Oxigraph's and rdflib's SPARQL engines, or an ill-typed literal (which the
  gate refuses before SHACL runs, server.checks.literals);
- with RDFS inference (the gate's setting): every divergence is either one of those or comes from the RDFS
  closure (server.rules, checked here by validating pySHACL's own closure instead), which branch reasoner-diff
  works on.

A case on which pySHACL itself answers differently from one run to the next (its results can depend on the
order of sets of blank nodes) is counted apart, not failed.

A failure prints the case's seed and a shrunk reproduction (the smallest data and shapes found that still
diverge), as Turtle. How many cases: TSKG_DIFF_CASES (default 150, about 20 s); which: seeds TSKG_DIFF_SEED
(default 0) onwards. For example, many more on demand:

    TSKG_DIFF_CASES=5000 TSKG_DIFF_SEED=100000 .venv/bin/python -m pytest tests/test_shacl_differential.py -s
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from server.checks import shacl_fast as fastshacl
from server.checks.literals import problem
from server.reasoning import undo_owlrl_datatypes
from server.terms import to_oxigraph, to_rdflib
from server.checks.shacl_reference import pyshacl_results

CASES = int(os.environ.get("TSKG_DIFF_CASES", "150"))
FIRST_SEED = int(os.environ.get("TSKG_DIFF_SEED", "0"))
EX = rdflib.Namespace("http://example.org/")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")  # a plain namespace: rdflib's warns on pytest's probes
CLASSES = [EX.A, EX.B, EX.C, EX.D]
SHAPE_CLASSES = CLASSES + [RDF.Property, RDFS.Resource, RDFS.Class]  # what RDFS inference types too
PROPERTIES = [EX.p, EX.q, EX.r]
NODES = [EX[f"n{i}"] for i in range(6)]
LITERALS = [
    Literal("a"), Literal("abc"), Literal("Abc", lang="en"), Literal("abc", lang="de"), Literal("xy", lang="en-GB"),
    Literal("1", datatype=XSD.integer), Literal("05", datatype=XSD.integer), Literal("-3", datatype=XSD.integer),
    Literal("5", datatype=XSD.nonNegativeInteger), Literal("5", datatype=XSD.int), Literal("2.50", datatype=XSD.decimal),
    Literal("1e3", datatype=XSD.double), Literal("true", datatype=XSD.boolean), Literal("1", datatype=XSD.boolean),
    Literal("2019", datatype=XSD.gYear), Literal("2021", datatype=XSD.gYear), Literal("2019-05", datatype=XSD.gYearMonth),
    Literal("2019-05-01", datatype=XSD.date), Literal("--05-01", datatype=XSD.gMonthDay),
]
ILL_TYPED = [Literal("20x3", datatype=XSD.gYear), Literal("abc", datatype=XSD.integer), Literal("300", datatype=XSD.byte)]
DATATYPES = [XSD.integer, XSD.string, RDF.langString, XSD.gYear, XSD.decimal, XSD.boolean, XSD.date,
             XSD.nonNegativeInteger]
BOUNDS = [Literal(1), Literal(3), Literal("2.5", datatype=XSD.decimal), Literal("2020", datatype=XSD.gYear),
          Literal("2019-06-01", datatype=XSD.date), Literal("b")]
TRUE_FORMS = [Literal(True), Literal("1", datatype=XSD.boolean)]
X = "http://www.w3.org/2001/XMLSchema#"
TARGET_FILTERS = [
    f'?this <{EX.p}> ?v FILTER(?v < "2020"^^<{X}gYear>)',
    f'?this <{EX.p}> ?v FILTER(?v > 1)',
    f'?this <{EX.q}> ?v FILTER(?v >= "2019-01-01"^^<{X}date>)',
    f'?this <{EX.p}> ?v FILTER(datatype(?v) = <{X}integer>)',
    f'?this <{EX.p}> ?v FILTER(datatype(?v) = <{X}nonNegativeInteger>)',
    f'?this <{EX.q}> ?v FILTER(STR(?v) = "5")',
    f'?this <{EX.p}> ?v FILTER(isLiteral(?v) && ?v = 5)',
    f'?this a <{EX.A}>',
    f'?s <{EX.p}> ?this',
    f'?s <{EX.q}> ?this FILTER(isLiteral(?this))',
    f'?this <{EX.r}> ?x . ?x a <{EX.B}>',
]
SPARQL_CONSTRAINTS = [
    f'SELECT $this ?value WHERE {{ $this <{EX.p}> ?value FILTER(isLiteral(?value) && ?value > 2) }}',
    f'SELECT $this ?value WHERE {{ $this <{EX.q}> ?value FILTER(isIRI(?value)) }}',
    f'SELECT $this WHERE {{ FILTER NOT EXISTS {{ $this <{EX.r}> ?any }} }}',
]


# --- cases -----------------------------------------------------------------------------------------

@dataclass
class Case:
    """A case as removable parts, so that it can be shrunk: data and ontology triples, and shapes as groups of
    triples (group 0 declares the shape and its targets; each other group is one constraint)."""

    seed: int
    data: list[tuple] = field(default_factory=list)
    ontology: list[tuple] = field(default_factory=list)
    shapes: list[list[list[tuple]]] = field(default_factory=list)
    workers: int = 1

    def graphs(self) -> tuple[rdflib.Graph, rdflib.Graph, rdflib.Graph]:
        """Data and ontology as the gate gives them to both engines: through pyoxigraph's terms (which,
        for one, write language tags in lower case)."""
        data, ontology, shapes = rdflib.Graph(), rdflib.Graph(), rdflib.Graph()
        for t in self.data:
            data.add(tuple(to_rdflib(to_oxigraph(x)) for x in t))
        for t in self.ontology:
            ontology.add(tuple(to_rdflib(to_oxigraph(x)) for x in t))
        for shape in self.shapes:
            for group in shape:
                for t in group:
                    shapes.add(t)
        return data, ontology, shapes

    def turtle(self) -> str:
        data, ontology, shapes = self.graphs()
        for g in (data, ontology, shapes):
            g.bind("ex", EX)
        return (f"# seed {self.seed}, workers {self.workers}\n# --- data\n{data.serialize(format='turtle')}"
                f"# --- ontology\n{ontology.serialize(format='turtle')}# --- shapes\n{shapes.serialize(format='turtle')}")


class Generator:
    def __init__(self, seed: int):
        self.rnd = random.Random(seed)
        self.case = Case(seed, workers=2 if seed % 3 == 0 else 1)
        self.named = 0

    def pick(self, items):
        return self.rnd.choice(items)

    def chance(self, p: float) -> bool:
        return self.rnd.random() < p

    def make(self) -> Case:
        self.make_ontology()
        self.make_data()
        node_shapes = [self.shape_iri() for _ in range(self.rnd.randint(1, 3))]
        for i, shape in enumerate(node_shapes):
            # sh:node points only at shapes made later: no recursion (pySHACL backs out of it with a warning)
            self.case.shapes.append(self.node_shape(shape, node_shapes[i + 1:]))
        if self.chance(0.3):  # a property shape shared by two node shapes
            shared = BNode()
            self.used = set()
            group = [(shared, SH.path, self.pick(PROPERTIES)), *self.constraint(shared, [])]
            group += [(s, SH.property, shared) for s in self.rnd.sample(node_shapes, min(2, len(node_shapes)))]
            self.case.shapes.append([group])
        return self.case

    def shape_iri(self):
        self.named += 1
        return EX[f"S{self.named}"]

    def make_ontology(self):
        for sub, sup in ((EX.B, EX.A), (EX.C, EX.B), (EX.D, EX.A)):
            if self.chance(0.6):
                self.case.ontology.append((sub, RDFS.subClassOf, sup))
        if self.chance(0.3):
            self.case.ontology.append((EX.r, RDFS.range, self.pick(CLASSES)))
        if self.chance(0.3):
            self.case.ontology.append((EX.q, RDFS.domain, self.pick(CLASSES)))
        if self.chance(0.2):
            self.case.ontology.append((EX.r, RDFS.subPropertyOf, EX.p))

    def make_data(self):
        subjects = NODES + [BNode() for _ in range(self.rnd.randint(0, 2))]
        for node in subjects:
            if self.chance(0.7):
                self.case.data.append((node, RDF.type, self.pick(CLASSES)))
        for _ in range(self.rnd.randint(4, 22)):
            p = self.pick(PROPERTIES)
            if self.chance(0.5):
                o = self.pick(subjects)
            elif self.chance(0.06):
                o = self.pick(ILL_TYPED)
            else:
                o = self.pick(LITERALS)
            self.case.data.append((self.pick(subjects), p, o))

    def node_shape(self, shape, all_shapes) -> list[list[tuple]]:
        head = [(shape, RDF.type, SH.NodeShape)]
        self.used = set()
        kind = self.rnd.randrange(6)
        if kind == 0:
            head.append((shape, SH.targetClass, self.pick(SHAPE_CLASSES)))
        elif kind == 1:
            head += [(shape, SH.targetNode, self.pick(NODES + LITERALS)) for _ in range(self.rnd.randint(1, 3))]
        elif kind == 2:
            head.append((shape, SH.targetSubjectsOf, self.pick(PROPERTIES)))
        elif kind == 3:
            head.append((shape, SH.targetObjectsOf, self.pick(PROPERTIES)))
        elif kind == 4:
            target = BNode()
            head += [(shape, SH.target, target), (target, RDF.type, SH.SPARQLTarget),
                     (target, SH.select, Literal(f"SELECT ?this WHERE {{ {self.pick(TARGET_FILTERS)} }}"))]
        else:  # a shape that is also a class: an implicit class target
            cls = self.pick(CLASSES)
            head = [(cls, RDF.type, SH.NodeShape)]
            if self.chance(0.5):
                head.append((cls, RDF.type, RDFS.Class))
            else:  # a subclass of rdfs:Class, as pySHACL reads it
                head += [(cls, RDF.type, EX.Kind), (EX.Kind, RDFS.subClassOf, RDFS.Class)]
            if self.chance(0.5):  # and targets of its own
                head.append((cls, SH.targetNode, self.pick(NODES)))
            shape = cls
        groups = [head]
        if self.chance(0.2):
            groups.append([(shape, SH.closed, self.pick(TRUE_FORMS)),
                           *self.listed(shape, SH.ignoredProperties, [RDF.type])])
        if self.chance(0.1):
            groups.append([(shape, SH.deactivated, self.pick(TRUE_FORMS))])
        if self.chance(0.2):
            groups.append([(shape, SH.severity, self.pick([SH.Warning, SH.Info]))])
        if self.chance(0.3):
            groups.append(self.constraint(shape, all_shapes, node_level=True))
        for _ in range(self.rnd.randint(0, 3)):
            groups.append(self.property_shape(shape, all_shapes))
        if self.chance(0.25):  # sibling qualified shapes on one path, disjoint or not
            path = self.pick(PROPERTIES)
            for cls in self.rnd.sample(CLASSES, 2):
                prop, inner = BNode(), BNode()
                group = [(shape, SH.property, prop), (prop, SH.path, path), (prop, SH.qualifiedValueShape, inner),
                         (inner, SH["class"], cls), (prop, SH.qualifiedMaxCount, Literal(self.rnd.randint(0, 1)))]
                if self.chance(0.6):
                    group.append((prop, SH.qualifiedValueShapesDisjoint, self.pick(TRUE_FORMS)))
                groups.append(group)
        if all_shapes and self.chance(0.3):  # a value that must conform to another (targeted) node shape
            prop = BNode()
            groups.append([(shape, SH.property, prop), (prop, SH.path, self.pick(PROPERTIES)),
                           (prop, SH.node, self.pick(all_shapes))])
        return groups

    def property_shape(self, parent, all_shapes, depth: int = 0) -> list[tuple]:
        prop = BNode() if self.chance(0.8) else self.shape_iri()
        group = [(parent, SH.property, prop), *self.path(prop)]
        outer, self.used = self.used, set()
        for _ in range(self.rnd.randint(1, 3)):
            group += self.constraint(prop, all_shapes)
        self.used = outer
        # a property shape of a property shape applies to the values; with targets of the outer one's own,
        # it is what hoisting must leave alone
        nested = depth == 0 and self.chance(0.25)
        if self.chance(0.5 if nested else 0.1):
            group.append((prop, SH.targetNode, self.pick(NODES)))
        if self.chance(0.1):
            group.append((prop, SH.deactivated, self.pick(TRUE_FORMS + [Literal(False)])))
        if self.chance(0.15):
            group.append((prop, SH.severity, SH.Warning))
        if nested:
            group += self.property_shape(prop, all_shapes, depth + 1)
        return group

    def path(self, prop) -> list[tuple]:
        p = self.pick(PROPERTIES)
        kind = self.rnd.randrange(10)
        if kind < 6:
            return [(prop, SH.path, p)]
        node = BNode()
        if kind == 6:
            return [(prop, SH.path, node), (node, SH.inversePath, p)]
        if kind == 7:
            return [(prop, SH.path, node), *self.list_triples(node, [p, self.pick(PROPERTIES)])]
        if kind == 8:
            head = BNode()
            return [(prop, SH.path, node), (node, SH.alternativePath, head),
                    *self.list_triples(head, [p, self.pick(PROPERTIES)])]
        return [(prop, SH.path, node), (node, self.pick([SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath]), p)]

    def list_triples(self, head, items) -> list[tuple]:
        g = rdflib.Graph()
        Collection(g, head, items)
        return list(g)

    def listed(self, subject, predicate, items) -> list[tuple]:
        head = BNode()
        return [(subject, predicate, head), *self.list_triples(head, items)]

    def inline_shape(self) -> tuple[BNode, list[tuple]]:
        node = BNode()
        kind = self.rnd.randrange(4)
        if kind == 0:
            return node, [(node, SH["class"], self.pick(CLASSES))]
        if kind == 1:
            return node, [(node, SH.datatype, self.pick(DATATYPES))]
        if kind == 2:
            return node, [(node, SH.nodeKind, self.pick([SH.IRI, SH.Literal, SH.BlankNode]))]
        return node, [(node, SH.path, self.pick(PROPERTIES)), (node, SH.minCount, Literal(1))]

    def constraint(self, shape, all_shapes, node_level: bool = False) -> list[tuple]:
        """One constraint of a random component (node-level ones have no cardinality or property pairs)."""
        components = ["class", "datatype", "nodeKind", "range", "length", "pattern", "languageIn", "not", "and",
                      "or", "xone", "node", "hasValue", "in", "sparql"]
        if not node_level:
            components += ["minCount", "maxCount", "minCount", "uniqueLang", "pair", "qualified", "qualified"]
        if not all_shapes:
            components.remove("node")
        c = self.pick([c for c in components if c not in self.used] or ["class"])
        self.used.add(c)  # a parameter twice on one shape is an error in both, which compares nothing
        if c == "class":
            return [(shape, SH["class"], self.pick(SHAPE_CLASSES))]
        if c == "datatype":
            return [(shape, SH.datatype, self.pick(DATATYPES))]
        if c == "nodeKind":
            return [(shape, SH.nodeKind, self.pick([SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI,
                                                    SH.BlankNodeOrLiteral, SH.IRIOrLiteral]))]
        if c == "minCount":
            return [(shape, SH.minCount, Literal(self.rnd.randint(0, 2)))]
        if c == "maxCount":
            return [(shape, SH.maxCount, Literal(self.rnd.randint(0, 2)))]
        if c == "range":
            return [(shape, self.pick([SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive]),
                     self.pick(BOUNDS))]
        if c == "length":
            return [(shape, self.pick([SH.minLength, SH.maxLength]), Literal(self.rnd.randint(0, 4)))]
        if c == "pattern":
            out = [(shape, SH.pattern, Literal(self.pick(["^a", "b", "^[0-9]+$", "^http"])))]
            if self.chance(0.3):
                out.append((shape, SH.flags, Literal("i")))
            return out
        if c == "languageIn":
            return self.listed(shape, SH.languageIn, [Literal(x) for x in self.pick([["en"], ["de", "en"]])])
        if c == "uniqueLang":
            return [(shape, SH.uniqueLang, self.pick(TRUE_FORMS))]
        if c == "pair":
            return [(shape, self.pick([SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals]),
                     self.pick(PROPERTIES))]
        if c == "not":
            inner, triples = self.inline_shape()
            return [(shape, SH["not"], inner), *triples]
        if c in ("and", "or", "xone"):
            inners = [self.inline_shape() for _ in range(self.rnd.randint(1, 3))]
            return [*self.listed(shape, SH[c], [n for n, _ in inners]), *[t for _, ts in inners for t in ts]]
        if c == "node":
            return [(shape, SH.node, self.pick(all_shapes))]
        if c == "qualified":
            inner, triples = self.inline_shape()
            out = [(shape, SH.qualifiedValueShape, inner), *triples,
                   (shape, self.pick([SH.qualifiedMinCount, SH.qualifiedMaxCount]), Literal(self.rnd.randint(0, 2)))]
            if self.chance(0.5):
                out.append((shape, SH.qualifiedValueShapesDisjoint, self.pick(TRUE_FORMS)))
            return out
        if c == "hasValue":
            return [(shape, SH.hasValue, self.pick(NODES + LITERALS))]
        if c == "in":
            return self.listed(shape, SH["in"], self.rnd.sample(NODES + LITERALS, 3))
        constraint = BNode()
        return [(shape, SH.sparql, constraint), (constraint, SH.select, Literal(self.pick(SPARQL_CONSTRAINTS)))]


# --- running both ------------------------------------------------------------------------------------

def _key(result) -> tuple:
    return (result.severity, result.focus, result.path, result.value, result.shape, result.constraint, result.message)


def reference(case: Case, rdfs: bool):
    data, ontology, shapes = case.graphs()
    try:
        return sorted(_key(r) for r, _ in pyshacl_results(data, shapes, ontology, inference="rdfs" if rdfs else "none"))
    except Exception as err:  # noqa: BLE001 - an error is an answer to compare too
        return ("error", type(err).__name__)
    finally:
        undo_owlrl_datatypes()


def fast(case: Case, rdfs: bool, data: list | None = None):
    g_data, g_ontology, shapes = case.graphs()
    triples = data if data is not None else [_ox(t) for t in g_data]
    try:
        found = fastshacl.findings(triples, shapes, [_ox(t) for t in g_ontology], workers=case.workers,
                                   parallel_from=0, rdfs=rdfs)
        return sorted(_key(r) for r, _ in found)
    except Exception as err:  # noqa: BLE001
        return ("error", type(err).__name__)


def _ox(t) -> ox.Triple:
    return ox.Triple(*(to_oxigraph(x) for x in t))


class rdflib_targets:
    """SPARQL targets answered by rdflib, as in pySHACL: what a divergence is when this makes it go away."""

    def __enter__(self):
        self.original = fastshacl.TargetStore.select
        fastshacl.TargetStore.select = lambda *args, **kwargs: None
        return self

    def __exit__(self, *exc):
        fastshacl.TargetStore.select = self.original


def diverges(case: Case, rdfs: bool) -> str | None:
    """None when both agree, else what the divergence is: "documented: ..." or "closure" or "unexplained"."""
    expected = reference(case, rdfs)
    if fast(case, rdfs) == expected:
        return None
    if _cut_messages(fast(case, rdfs)) == _cut_messages(expected) != (fast(case, rdfs), expected):
        return "documented: message about a cycle of blank nodes"
    if targets_differ(case, rdfs):
        with rdflib_targets():
            if fast(case, rdfs) == expected or expected[0] == "error":
                return "documented: SPARQL target engine"
    if any(isinstance(t[2], Literal) and problem(to_oxigraph(t[2])) for t in case.data):
        clean = replace(case, data=[t for t in case.data if not (isinstance(t[2], Literal) and problem(to_oxigraph(t[2])))])
        if diverges(clean, rdfs) is None:
            return "documented: ill-typed literal"
    if rdfs:
        # Both engines on pySHACL's own closure, as data without inference: if they agree there, the
        # divergence came from the closure. (Without the triples owlrl makes about literals, such as
        # `"Turkey" a tsk:Agent` from a range: RDF has no literal subjects, and pyoxigraph none either.)
        closed = [t for t in _closure_graph(case) if not isinstance(t[0], Literal)]
        explicit = replace(case, data=closed, ontology=[])
        if diverges(explicit, False) in (None, "documented: SPARQL target engine"):
            return "closure"
    if any(reference(case, rdfs) != expected for _ in range(3)):
        return "pySHACL answers differently from one run to the next"
    return "unexplained"


def _cut_messages(rows):
    """The results with pySHACL's messages that it cut short (a value that is a cycle of blank nodes is
    written out to a depth that depends on what it wrote before) left out."""
    if not isinstance(rows, list):
        return rows
    return [row[:-1] if "recursion.too.deep" in row[-1] else row for row in rows]


def targets_differ(case: Case, rdfs: bool) -> bool:
    """Whether a SPARQL target of the case selects other nodes in Oxigraph than in rdflib (or rdflib fails
    on it, as it does on some comparisons of literals of different types)."""
    data, ontology, shapes = case.graphs()
    graph = _closure_graph(case) if rdfs else data + ontology
    store = fastshacl.TargetStore([_ox(t) for t in graph if not isinstance(t[0], Literal)])
    for target in shapes.subjects(RDF.type, SH.SPARQLTarget):
        query = str(shapes.value(target, SH.select))
        answer = store.select(query)
        try:
            theirs = sorted(row[0].n3() for row in graph.query(query))
        except Exception:  # noqa: BLE001 - rdflib raising is one way of answering differently
            return True
        if answer is None or sorted(row["this"].n3() for row in answer[1] if "this" in row) != theirs:
            return True
    return False


def _closure_graph(case: Case) -> rdflib.Graph:
    data, ontology, _ = case.graphs()
    pyshacl.validate(data, shacl_graph=rdflib.Graph(), ont_graph=ontology, inference="rdfs", inplace=True)
    undo_owlrl_datatypes()
    return data


def shrink(case: Case, rdfs: bool, kind: str, budget: float = 60.0) -> Case:
    """The smallest case found (by removing data triples, ontology triples, shapes and constraints one at a
    time) that still diverges in the same way; bounded in time."""
    deadline = time.monotonic() + budget
    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        candidates = []
        for i in range(len(case.shapes)):
            candidates.append(replace(case, shapes=case.shapes[:i] + case.shapes[i + 1:]))
            for j in range(1, len(case.shapes[i])):
                shape = case.shapes[i][:j] + case.shapes[i][j + 1:]
                candidates.append(replace(case, shapes=case.shapes[:i] + [shape] + case.shapes[i + 1:]))
        candidates += [replace(case, data=case.data[:i] + case.data[i + 1:]) for i in range(len(case.data))]
        candidates += [replace(case, ontology=case.ontology[:i] + case.ontology[i + 1:]) for i in range(len(case.ontology))]
        candidates.append(replace(case, workers=1))
        for candidate in candidates:
            if time.monotonic() > deadline:
                break
            if candidate != case and diverges(candidate, rdfs) == kind:
                case, changed = candidate, True
                break
    return case


@dataclass
class Run:
    kinds: Counter
    failure: str | None  # the first unexplained divergence, shrunk
    seconds: float


def run_cases(rdfs: bool, cases: int = CASES, stop_at_first: bool = True) -> Run:
    logging.disable(logging.CRITICAL)  # rdflib's tracebacks for ill-typed literals, pySHACL's shape errors
    kinds: Counter = Counter()
    started = time.monotonic()
    failure = None
    for seed in range(FIRST_SEED, FIRST_SEED + cases):
        case = Generator(seed).make()
        kind = diverges(case, rdfs)
        kinds[kind or "equal"] += 1
        if kind == "unexplained" and failure is None:
            small = shrink(case, rdfs, kind)
            failure = (f"the fast path and pySHACL differ (seed {seed}, rdfs={rdfs}); shrunk reproduction:\n"
                       f"{small.turtle()}\nfast:    {fast(small, rdfs)}\npySHACL: {reference(small, rdfs)}")
            if stop_at_first:
                break
    logging.disable(logging.NOTSET)
    seconds = time.monotonic() - started
    print(f"\n{sum(kinds.values())} cases from seed {FIRST_SEED}, rdfs={rdfs}: {dict(kinds)} in {seconds:.1f} s")
    return Run(kinds, failure, seconds)


@pytest.fixture(scope="module")
def with_rdfs() -> Run:
    return run_cases(rdfs=True)


def test_without_inference_the_fast_path_equals_pyshacl():
    run = run_cases(rdfs=False)
    assert run.failure is None, run.failure
    assert run.kinds["closure"] == 0
    assert run.kinds["equal"] >= 0.8 * CASES, run.kinds  # the documented differences stay the exception


def test_with_rdfs_inference_every_divergence_is_the_closure_or_documented(with_rdfs):
    assert with_rdfs.failure is None, with_rdfs.failure


@pytest.mark.xfail(strict=True, reason="RDFS closure: fixed on branch reasoner-diff")
def test_with_rdfs_inference_the_closure_is_pyshacls(with_rdfs):
    assert with_rdfs.kinds["closure"] == 0, with_rdfs.kinds


@pytest.mark.xfail(strict=True, reason="RDFS closure: fixed on branch reasoner-diff")
def test_a_shape_targeting_rdf_property_sees_every_property():
    """pySHACL's RDFS closure types every predicate (rdf:type too) as rdf:Property; server.rules misses some."""
    case = Case(seed=-1)
    case.data = [(EX.a, EX.p, EX.b), (EX.a, RDF.type, EX.A), (EX.b, EX.q, Literal(1))]
    shape = EX.PropertyShape
    case.shapes = [[[(shape, RDF.type, SH.NodeShape), (shape, SH.targetClass, RDF.Property)],
                    [(shape, SH.nodeKind, SH.BlankNode)]]]
    expected = reference(case, rdfs=True)
    assert len(expected) >= 3  # ex:p, ex:q and rdf:type, each an IRI where the shape wants a blank node
    assert fast(case, rdfs=True) == expected


# --- one case per hoisting guard: each diverges when its guard is taken out of server.checks.shacl_fast.hoisted -----

GUARDED = {
    "closed node shape": ("""ex:n ex:p 1 ; ex:q 2 .""", """
        ex:N a sh:NodeShape ; sh:targetNode ex:n ; sh:closed true ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."""),
    "qualifiedValueShapesDisjoint sibling": ("""ex:n ex:p ex:x . ex:x a ex:A, ex:B .""", """
        ex:N a sh:NodeShape ; sh:targetNode ex:n ;
            sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ; sh:qualifiedMinCount 1 ;
                          sh:qualifiedValueShapesDisjoint true ] ,
                        [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:B ] ; sh:qualifiedMaxCount 1 ] ."""),
    "property shape of a property shape": ("""ex:n ex:p ex:v . ex:v ex:q ex:w .""", """
        ex:P a sh:PropertyShape ; sh:targetNode ex:n ; sh:path ex:p ;
            sh:property [ sh:path ex:q ; sh:minCount 1 ] ; sh:property [ sh:path ex:r ; sh:minCount 1 ] ."""),
    "implicit class target": ("""ex:x a ex:N . ex:m ex:q 1 .""", """
        ex:N a sh:NodeShape, rdfs:Class ; sh:targetNode ex:m ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."""),
    "deactivated node shape": ("""ex:n ex:q 1 .""", """
        ex:N a sh:NodeShape ; sh:targetNode ex:n ; sh:deactivated true ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ] ."""),
    "node shape used by another": ("""ex:a ex:p ex:b . ex:z ex:q 1 .""", """
        ex:S1 a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:node ex:S2 ] .
        ex:S2 a sh:NodeShape ; sh:targetNode ex:z ; sh:property [ sh:path ex:q ; sh:minCount 1 ] ."""),
}


@pytest.mark.parametrize("name", sorted(GUARDED))
def test_hoisting_leaves_alone_what_its_guards_protect(name):
    prefixes = ("@prefix ex: <http://example.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> . "
                "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
    data, shapes = (rdflib.Graph().parse(data=prefixes + text, format="turtle") for text in GUARDED[name])
    case = Case(seed=-1, data=list(data), shapes=[[list(shapes)]])
    expected = reference(case, rdfs=False)
    assert isinstance(expected, list) and (expected or name == "deactivated node shape"), expected
    assert fast(case, rdfs=False) == expected

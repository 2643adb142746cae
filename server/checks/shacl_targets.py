"""SHACL targets outside pySHACL: the store that answers the shapes' SPARQL targets (Oxigraph, the literals
it answers with mapped back to the terms as written), the nodes a shape's SPARQL targets select, and what
makes a shape a class (an implicit class target). Shared by server.checks.shacl_fast (hoisting, the
SPARQL targets pySHACL asks for) and server.checks.shacl_screen (the focus nodes of each shape)."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from ..terms import to_rdflib

class TargetStore:
    """The triples in a pyoxigraph store, for SPARQL targets (whole-graph SELECTs).

    The store keeps literals in canonical form ("05"^^xsd:integer as "5", an xsd:int as an xsd:integer),
    so a literal it answers with is mapped back to the literal as written. Where that is ambiguous (the
    data holds two literals that the store makes one), `select` answers None: ask rdflib instead."""

    def __init__(self, triples: list):
        self.triples = triples
        self.store = ox.Store()
        self.store.bulk_extend(ox.Quad(*t) for t in triples)
        self._written: dict | None = None

    def __len__(self) -> int:
        return len(self.store)

    def query(self, text: str, prefixes: dict | None = None):
        return self.store.query(text, prefixes=prefixes)

    def select(self, text: str, prefixes: dict | None = None) -> tuple[list[str], list[dict]] | None:
        """(variables, rows of rdflib terms) of a SELECT; None if it is not a SELECT or a literal in it
        stands for more than one literal as written."""
        solutions = self.store.query(text, prefixes=prefixes)
        if not isinstance(solutions, ox.QuerySolutions):
            return None
        variables = [v.value for v in solutions.variables]
        rows = []
        for row in solutions:
            values = {}
            for name, value in zip(variables, row):
                if value is None:
                    continue
                if isinstance(value, ox.Literal):
                    value = self._as_written(value)
                    if value is None:
                        return None
                values[name] = value if isinstance(value, rdflib.term.Identifier) else to_rdflib(value)
            rows.append(values)
        return variables, rows

    def _as_written(self, literal: ox.Literal):
        if self._written is None:
            self._written = self._written_forms()
        forms = self._written.get(literal)
        if forms is None:  # not in the data (made by the query): rdflib would make it the same way
            return to_rdflib(literal)
        return next(iter(forms)) if len(forms) == 1 else None

    def _written_forms(self) -> dict:
        """Each literal as the store keeps it → the rdflib literals written in the data that it stands for."""
        literals = list({t.object for t in self.triples if isinstance(t.object, ox.Literal)})
        scratch = ox.Store()
        scratch.bulk_extend(
            ox.Quad(ox.NamedNode(f"urn:tskg:literal:{i}"), RDF_VALUE, lit) for i, lit in enumerate(literals)
        )
        forms: dict = {}
        for quad in scratch.quads_for_pattern(None, RDF_VALUE, None):
            original = literals[int(quad.subject.value.rsplit(":", 1)[1])]
            forms.setdefault(quad.object, set()).add(to_rdflib(original))
        return forms


RDF_VALUE = ox.NamedNode(str(RDF.value))


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
NESTING = (SH.node, SH.qualifiedValueShape, SH["not"], SH.property)
LIST_NESTING = (SH["and"], SH["or"], SH.xone)


def class_types(shapes: rdflib.Graph) -> set:
    """The types that make a shape a class too, with an implicit class target: rdfs:Class and what the
    shapes graph says is a subclass of it (as pySHACL reads it), and owl:Class (to be safe)."""
    return {RDFS.Class, rdflib.OWL.Class} | set(shapes.subjects(RDFS.subClassOf, RDFS.Class))


def is_true(g: rdflib.Graph, node, predicate) -> bool:
    """Whether a boolean parameter is on, as pySHACL reads it: any literal whose value is True
    ("true", "1"^^xsd:boolean)."""
    return any(isinstance(o, rdflib.Literal) and o.value is True for o in g.objects(node, predicate))


def sparql_targets(g: rdflib.Graph, shape, store: TargetStore | None) -> set | None:
    """The nodes the SPARQL targets of `shape` select in `store`, or None when one of them is not a
    plain sh:SPARQLTarget (a target type with parameters, say), when the store cannot answer it as
    rdflib would (see TargetStore), or there is no store."""
    if store is None:
        return None
    nodes = set()
    for target in g.objects(shape, SH.target):
        select = g.value(target, SH.select)
        if (target, RDF.type, SH.SPARQLTarget) not in g or select is None:
            return None
        try:
            answer = store.select(prefix_header(g, target) + str(select))
        except SyntaxError:  # pySHACL reports it as it finds it
            return None
        if answer is None:
            return None
        nodes.update(row["this"] for row in answer[1] if "this" in row)
    return nodes


def prefix_header(g: rdflib.Graph, node) -> str:
    """The PREFIX lines pySHACL puts before the query of `node`, from its sh:prefixes (SHACL 5.2.1)."""
    prefixes_values = set(g.objects(node, SH.prefixes))
    if not prefixes_values:
        return ""
    graph_declares = set(g.objects(g.identifier, SH.declare))
    ontologies = set(g.subjects(RDF.type, rdflib.OWL.Ontology))
    global_declares = graph_declares | {d for o in ontologies for d in g.objects(o, SH.declare)}
    declares = set()
    for value in prefixes_values:
        own = set(g.objects(value, SH.declare))
        declares |= (own | graph_declares) if own and value in ontologies else (global_declares | own)
    return "".join(f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n" for d in declares)

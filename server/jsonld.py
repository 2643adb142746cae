"""Compact JSON-LD: triples or quads as a JSON-LD 1.1 document with an `@context` of prefixes.

pyoxigraph writes JSON-LD expanded (full IRIs everywhere, no context), which is correct but hard to read
and to use from JavaScript. Here the statements are grouped by graph and subject and written as the
compaction algorithm would write flattened data against a context holding only prefix definitions:

    {"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#", "tskr": "https://w3id.org/tskg/id/", ...},
     "@graph": [{"@id": "tskr:turkey", "@type": "tsk:State", "rdfs:label": {"@value": "Turkey", "@language": "en"}}]}

- keys, `@id` and `@type` values are compact IRIs (prefix:local) where a prefix fits, else full IRIs;
- rdf:type with an IRI or blank node object is `@type`; a value list of one is written without the list;
- literals keep their lexical form: xsd:string as a JSON string, language-tagged as {"@value", "@language"},
  every other datatype as {"@value", "@type"} (never a JSON number, which would lose "05" or "1.50");
- named graphs are {"@id": GRAPH, "@graph": [...]} in the top-level "@graph", the default graph's nodes
  beside them.

Graphs, subjects and values keep the order of the statements given, so sorted input gives the same bytes
every time (the exports sort). A full JSON-LD library (PyLD) would compact expanded JSON-LD by the
general algorithm; with a context of prefixes only, this direct writing is what that algorithm gives,
in one pass and without a second copy of the graph. Tests load every document in rdflib and pyoxigraph
and compare it with the N-Triples form.
"""

from __future__ import annotations

import json
from typing import Iterable, Mapping

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
MEDIA_TYPE = "application/ld+json"


def prefixes_used(statements: Iterable[ox.Triple | ox.Quad], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes of `prefixes` that some IRI of `statements` (datatypes and graph names included) starts with."""
    iris = set()
    for st in statements:
        for term in (st.subject, st.predicate, st.object, getattr(st, "graph_name", None)):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in prefixes.items() if any(iri.startswith(ns) and len(iri) > len(ns) for iri in iris)}


class _Compactor:
    def __init__(self, prefixes: Mapping[str, str]):
        # longest namespace first, so that a namespace inside another (tsk: in tskg/) wins where it fits
        self.prefixes = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def iri(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def node(self, term) -> str:
        return "_:" + term.value if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term):
        if isinstance(term, (ox.NamedNode, ox.BlankNode)):
            return {"@id": self.node(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}


def document(statements: Iterable[ox.Triple | ox.Quad], prefixes: Mapping[str, str]) -> dict:
    """The compact JSON-LD document (a dict) of `statements`, with `prefixes` as its context."""
    statements = list(statements)
    used = prefixes_used(statements, prefixes)
    compact = _Compactor(used)
    graphs: dict[str | None, dict[str, dict]] = {None: {}}
    for st in statements:
        graph = getattr(st, "graph_name", None)
        key = None if graph is None or isinstance(graph, ox.DefaultGraph) else compact.node(graph)
        subject = compact.node(st.subject)
        node = graphs.setdefault(key, {}).setdefault(subject, {"@id": subject})
        if st.predicate.value == RDF_TYPE and isinstance(st.object, (ox.NamedNode, ox.BlankNode)):
            node.setdefault("@type", []).append(compact.node(st.object))
        else:
            node.setdefault(compact.iri(st.predicate.value), []).append(compact.value(st.object))
    top = [_single(node) for node in graphs.pop(None).values()]
    top += [{"@id": name, "@graph": [_single(node) for node in nodes.values()]} for name, nodes in graphs.items()]
    return {"@context": dict(sorted(used.items())), "@graph": top}


def serialize(statements: Iterable[ox.Triple | ox.Quad], prefixes: Mapping[str, str]) -> bytes:
    """Compact JSON-LD as UTF-8 bytes, indented, ending with a newline."""
    return (json.dumps(document(statements, prefixes), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _single(node: dict) -> dict:
    """A list of one value written as the value itself (as compaction does without @container: @set)."""
    return {key: value[0] if isinstance(value, list) and len(value) == 1 else value for key, value in node.items()}

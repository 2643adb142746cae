"""Derived facts: what pages and saved queries would otherwise recompute on every request (the sides of
an event, a timeline's sort key, a score read from a published table), computed once at build time into
a graph of their own, https://w3id.org/tskg/graph/derived, apart from the asserted graph (what the
sources say) and the inferred graph (the OWL RL closure). The service description names it.

Each rule is a SPARQL CONSTRUCT in server/build/derived/NAME.rq, whose opening comment says what it derives
and from what. The rules run in name order over the store the build is writing, whose default graph is
the union of its graphs, so a rule sees the ontology, the asserted and inferred triples and what the
rules before it derived. The project's prefixes (server.namespaces.PREFIXES) may be used undeclared.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..namespaces import GRAPH_DERIVED, PREFIXES

RULES = Path(__file__).resolve().parent / "derived"


def rules() -> list[Path]:
    return sorted(RULES.glob("*.rq"))


def derive(store: ox.Store) -> int:
    """Run every rule over `store` (being written), adding what each derives to the derived graph;
    the number of derived triples."""
    graph = ox.NamedNode(GRAPH_DERIVED)
    for rule in rules():
        try:
            triples = list(store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True,
                                       prefixes=PREFIXES))
        except SyntaxError as err:
            raise SyntaxError(f"{rule.name}: {err}") from None
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))

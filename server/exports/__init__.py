"""The exports stage: the built graph handed to others.

    store + dataset.nq ─▶ files (N-Triples, N-Quads, TriG, Turtle, JSON-LD, RDF/XML, canonical N-Quads)
                      ─▶ another store, over the SPARQL 1.1 Graph Store Protocol

Exports:
- server.exports.files: `FORMATS`, `load_dataset(build)`, `serialize`, `export` (atomic files),
  `canonical_nquads` (RDFC-1.0);
- server.exports.publish: `publish(dataset, target, graphs)` (one PUT per named graph), `Target`,
  `parse_endpoint`, `GENID` (the Skolem IRIs of shared blank nodes).
"""

"""tskg: a knowledge graph of Turkey–Serbia–Kosovo relations, served over SPARQL.

The packages are the stages of the pipeline, in the order the data flows through them:

    sources/    Turtle files ─▶ strict parse, file:line of every node, the article's sentences
    checks/     ─▶ the one gate: well-formed literals, SHACL shapes, ontology checks (fast path and reference)
    reasoning/  ─▶ the OWL 2 RL closure, kept apart from what was asserted (fast path and reference)
    build/      ─▶ the pipeline itself, a verified on-disk store cached by content, derived facts
    store/      ─▶ engines that answer SPARQL over it (sandboxed query processes, or a remote store)
    web/        ─▶ /sparql, saved queries, the editor, the pages and the analyst's views (Flask)
    exports/    ─▶ files in every RDF format, and other stores over the Graph Store Protocol
    scale/      generated data at any size, and the benchmarks

cli.py and commands/ are the command line `tskg`; project.py knows the layout of a checkout (and finds it),
namespaces.py the IRIs the project mints, terms.py the conversion between pyoxigraph and rdflib terms,
jsonld.py the compact JSON-LD that pages, query results and exports share.
"""

__version__ = "0.1.0"

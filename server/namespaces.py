"""The IRIs this project mints, in one place."""

BASE = "https://w3id.org/tskg/"
ONTOLOGY = BASE + "ontology#"      # classes and properties, prefix tsk:
CONCEPT = BASE + "concept/"        # SKOS concepts, prefix tskc:
DATA = BASE + "id/"                # individuals of the graph, prefix tskr:
ONTOLOGY_IRI = BASE + "ontology"   # the owl:Ontology itself

GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_ASSERTED = BASE + "graph/asserted"
GRAPH_INFERRED = BASE + "graph/inferred"
GRAPH_DERIVED = BASE + "graph/derived"   # computed at build time for pages and queries (server.build.derive)
GRAPHS = {"ontology": GRAPH_ONTOLOGY, "asserted": GRAPH_ASSERTED, "inferred": GRAPH_INFERRED, "derived": GRAPH_DERIVED}
# The graphs whose triples no source states: computed by reasoning or derived at build time. Pages show
# them apart from what the sources say, and data documents add them only on request (?inferred=1).
COMPUTED_GRAPHS = frozenset({GRAPH_INFERRED, GRAPH_DERIVED})

PREFIXES = {
    "tsk": ONTOLOGY,
    "tskc": CONCEPT,
    "tskr": DATA,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "sh": "http://www.w3.org/ns/shacl#",
}

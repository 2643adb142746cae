"""The pages, one module per kind, as Datasette's views are:

- resources: /id/…, /concept/… (303 to a document), /page/… (HTML), /data/….ttl|.jsonld|.nt|.rdf;
- home: / and /browse/<class>;
- ontology: /ontology in every format, its version IRI, the class diagram;
- downloads: /downloads/ and the whole graph in each format.

Shared, with no routes: present (labels, prefixed names, links, RDF documents), describe (the read
models: the SPARQL behind the pages), diagram (the class diagram, drawn from the ontology).
"""

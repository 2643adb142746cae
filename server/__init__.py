"""tskg: a knowledge graph of Turkey–Serbia–Kosovo relations, served over SPARQL.

The data flows one way:

    Turtle files ──strict parse──▶ SHACL and ontology checks ──▶ OWL RL reasoning
        ──▶ on-disk store (cached by content) ──▶ SPARQL endpoint, pages, exports

`server.build` is that pipeline; the command line (`server.cli`) and the web app
(`server.web`) both call it.
"""

__version__ = "0.1.0"

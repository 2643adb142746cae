"""The pipeline, built once and shared by the command line and the server:

    Turtle files → strict parse → the gate (server.gate: literals, SHACL, ontology checks) → OWL RL reasoning
    → on-disk store

Two implementations of the checks and the reasoning, with the same results (tests/test_rules.py,
tests/test_fastshacl.py): reasoner="rules" (the default) keeps the triples in pyoxigraph terms, reasons
with server.rules and validates with server.fastshacl; reasoner="owlrl" is the reference, rdflib graphs
with owlrl and pySHACL (inference "rdfs"), about 0.5 ms per triple for each of the two.

A build is cached under the project's cache directory by a digest of the source files,
so a restart with unchanged data only opens the store that is already there.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from . import __version__
from .namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from .project import Project, digest_files
from .gate import check_project
from .reasoning import owlrl_inferred
from .rules import inferred_triples
from .terms import rdflib_graph, to_oxigraph
from .turtle import parse_turtle_file
from .validation import Report, Result

# Bump when the build's output changes for the same input, so old caches are not reused.
PIPELINE_VERSION = f"{__version__}/4"  # 2: dataset.nq beside the store; 3: blank nodes scoped per file;
# 4: the gate of server.gate (literals and ontology checks too)


class ValidationFailed(Exception):
    """The data does not conform to the shapes; `report` says where and why."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.violations)} SHACL violation(s)")
        self.report = report


@dataclass
class Build:
    """A finished build: an on-disk pyoxigraph store holding three named graphs."""

    digest: str
    directory: Path
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Result] = field(default_factory=list)
    cached: bool = False

    @property
    def store_path(self) -> Path:
        return self.directory / "store"

    @property
    def dataset_path(self) -> Path:
        """The same quads as the store, as N-Quads with the terms as parsed. The store itself
        normalises literals (e.g. "5"^^xsd:nonNegativeInteger becomes "5"^^xsd:integer), so
        exports read this file to give the data back unchanged."""
        return self.directory / "dataset.nq"

    def open_store(self) -> ox.Store:
        """A read-only handle; any number of processes may hold one at once."""
        return ox.Store.read_only(str(self.store_path))


@dataclass
class ParsedSources:
    """The strictly parsed files, as rdflib graphs for pySHACL and owlrl."""

    ontology: rdflib.Graph
    shapes: rdflib.Graph
    data: rdflib.Graph


def source_files(project: Project) -> list[Path]:
    return project.ontology_files + project.shapes_files + project.graph_files


def parse_sources(project: Project) -> ParsedSources:
    """Parse every source file through the strict gate (raises TurtleSyntaxError)."""

    def graph_of(paths: list[Path]) -> rdflib.Graph:
        g = rdflib.Graph()
        for path in paths:
            rdflib_graph(_scope_blank_nodes(parse_turtle_file(path, project.relative(path))), g)
        return g

    return ParsedSources(
        ontology=graph_of(project.ontology_files),
        shapes=graph_of(project.shapes_files),
        data=graph_of(project.graph_files),
    )


def _scope_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Blank node labels are local to their document: `_:x` in two files is two nodes.
    pyoxigraph keeps a label as written, so each file's labels get fresh identifiers."""
    fresh: dict[str, ox.BlankNode] = {}

    def scoped(term):
        return fresh.setdefault(term.value, ox.BlankNode()) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(scoped(t.subject), t.predicate, scoped(t.object)) for t in triples]


REASONERS = ("rules", "owlrl")


def build(project: Project | None = None, *, use_cache: bool = True, validate: bool = True,
          reasoner: str = "rules") -> Build:
    """Run the pipeline for `project`, or reuse the cached result for the same sources.
    `reasoner`: "rules" (fast) or "owlrl" (the reference); see the module docstring."""
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}: choose one of {', '.join(REASONERS)}")
    project = project or Project.locate()
    digest = digest_files(source_files(project), salt=f"{PIPELINE_VERSION}/validate={validate}/{reasoner}")
    directory = project.cache_dir / digest
    if use_cache and (directory / "build.json").exists():
        return _load_build(directory)

    timings: dict[str, float] = {}
    started = time.perf_counter()
    if reasoner == "rules":
        def triples_of(paths: list[Path]) -> list[ox.Triple]:
            return [t for p in paths for t in _scope_blank_nodes(parse_turtle_file(p, project.relative(p)))]

        ontology, data = triples_of(project.ontology_files), triples_of(project.graph_files)
        shapes = rdflib_graph(triples_of(project.shapes_files))
    else:
        sources = parse_sources(project)
    timings["parse"] = time.perf_counter() - started

    warnings: list[Result] = []
    if validate:
        # The same gate as `tskg validate` (server.gate): literals, shapes, ontology checks, file:line.
        started = time.perf_counter()
        report = check_project(project, engine="fast" if reasoner == "rules" else "pyshacl")
        timings["validate"] = time.perf_counter() - started
        if not report.conforms:
            raise ValidationFailed(report)
        warnings = report.results

    started = time.perf_counter()
    if reasoner == "rules":
        graphs = {GRAPH_ONTOLOGY: ontology, GRAPH_ASSERTED: data, GRAPH_INFERRED: inferred_triples(ontology + data)}
    else:
        inferred = owlrl_inferred(sources.ontology + sources.data)
        graphs = {name: [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]
                  for name, graph in
                  ((GRAPH_ONTOLOGY, sources.ontology), (GRAPH_ASSERTED, sources.data), (GRAPH_INFERRED, inferred))}
    timings["reason"] = time.perf_counter() - started

    started = time.perf_counter()
    counts = _write_store(directory, graphs, timings, warnings, digest)
    timings["store"] = time.perf_counter() - started
    return Build(digest=digest, directory=directory, counts=counts, timings=timings, warnings=warnings)


def _write_store(directory: Path, graphs: dict[str, list[ox.Triple]], timings, warnings, digest) -> dict[str, int]:
    """Write the store into a temporary directory and move it into place, so that a
    failed or concurrent build never leaves a half-written cache entry behind."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=directory.parent))
    try:
        store = ox.Store(str(staging / "store"))
        counts = {}
        exact: list[ox.Quad] = []
        for name, graph in graphs.items():
            g = ox.NamedNode(name)
            quads = [ox.Quad(s, p, o, g) for s, p, o in graph]
            store.bulk_extend(quads)
            exact.extend(quads)
            counts[name.rsplit("/", 1)[-1]] = len(graph)
        store.flush()
        ox.serialize(exact, str(staging / "dataset.nq"), ox.RdfFormat.N_QUADS)
        del store
        meta = {
            "digest": digest,
            "counts": counts,
            "timings": timings,
            "warnings": [vars(w) for w in warnings],
        }
        (staging / "build.json").write_text(json.dumps(meta, indent=2))
        try:
            staging.rename(directory)
        except OSError:
            # Another process finished the same build first; theirs is as good as ours.
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts


def _load_build(directory: Path) -> Build:
    meta = json.loads((directory / "build.json").read_text())
    return Build(
        digest=meta["digest"],
        directory=directory,
        counts=meta["counts"],
        timings=meta["timings"],
        warnings=[Result(**w) for w in meta["warnings"]],
        cached=True,
    )

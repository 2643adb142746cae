"""The pipeline, built once and shared by the command line and the server:

    Turtle files → strict parse → the gate (server.checks.gate: literals, SHACL, ontology checks) → OWL RL reasoning
    → on-disk store

Two implementations of the checks and the reasoning, with the same results (tests/test_rules.py,
tests/test_fastshacl.py): reasoner="rules" (the default) keeps the triples in pyoxigraph terms, reasons
with server.reasoning.fast and validates with server.checks.shacl_fast; reasoner="owlrl" is the reference, rdflib graphs
with owlrl and pySHACL (inference "rdfs"), about 0.5 ms per triple for each of the two.

A build is cached under the project's cache directory by a digest of the source files, so a restart
with unchanged data only verifies and opens the store that is already there (server.build.cache: a
damaged entry is moved aside and built again, never served).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from .. import __version__
from ..checks.gate import check, project_files
from ..namespaces import GRAPH_ASSERTED, GRAPH_DERIVED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPHS
from ..project import Project, digest_files
from ..reasoning.reference import owlrl_inferred
from ..reasoning.fast import inferred_triples
from ..terms import rdflib_graph, to_oxigraph
from ..sources.turtle import parse_turtle_file
from ..checks.results import Report, Result
from ..sources.files import SyntaxErrors, load_sources
from . import cache
from .derive import derive, rules

# Bump when the build's output changes for the same input, so old caches are not reused.
PIPELINE_VERSION = f"{__version__}/6"  # 2: dataset.nq beside the store; 3: blank nodes scoped per file;
#                                        4: build.json lists the size and checksum of every file;
#                                        5: the gate of server.checks.gate (literals and ontology checks too);
#                                        6: the store compacted (Store.optimize) before it is published


class ValidationFailed(Exception):
    """The data does not conform to the shapes; `report` says where and why."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.violations)} SHACL violation(s)")
        self.report = report

    def __reduce__(self):  # crosses from the build process (server.build.isolated) intact
        return (ValidationFailed, (self.report,))


@dataclass
class Build:
    """A finished build: an on-disk pyoxigraph store holding the named graphs of server.namespaces.GRAPHS."""

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
            rdflib_graph(scope_blank_nodes(parse_turtle_file(path, project.relative(path))), g)
        return g

    return ParsedSources(
        ontology=graph_of(project.ontology_files),
        shapes=graph_of(project.shapes_files),
        data=graph_of(project.graph_files),
    )


def scope_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Blank node labels are local to their document: `_:x` in two files is two nodes.
    pyoxigraph keeps a label as written, so each file's labels get fresh identifiers."""
    fresh: dict[str, ox.BlankNode] = {}

    def scoped(term):
        return fresh.setdefault(term.value, ox.BlankNode()) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(scoped(t.subject), t.predicate, scoped(t.object)) for t in triples]


REASONERS = ("rules", "owlrl")


def build(project: Project | None = None, *, use_cache: bool = True, validate: bool = True,
          reasoner: str = "rules") -> Build:
    """Run the pipeline for `project`, or reuse the verified cache entry for the same sources.
    `reasoner`: "rules" (fast) or "owlrl" (the reference); see the module docstring.

    It opens the store (to build it, or to check a cached one): a process that forks afterwards must
    call server.build.isolated.build_isolated instead."""
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}: choose one of {', '.join(REASONERS)}")
    project = project or Project.locate()
    # The derivation rules are part of what a build depends on (server.build.derive).
    digest = digest_files(source_files(project) + rules(), salt=f"{PIPELINE_VERSION}/validate={validate}/{reasoner}")
    directory = project.cache_dir / digest
    with cache.locked(project.cache_dir):
        if use_cache and directory.exists():
            try:
                return _load_build(directory)
            except cache.CacheDamaged as damage:
                cache.move_aside(directory, str(damage))
        return _run_pipeline(project, directory, digest, validate=validate, reasoner=reasoner)


def _run_pipeline(project: Project, directory: Path, digest: str, *, validate: bool, reasoner: str) -> Build:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:  # each file parsed once, strictly; the gate and the reasoner share what it gives
        sources = load_sources(project_files(project))
    except SyntaxErrors as err:
        raise err.errors[0] from None
    timings["parse"] = time.perf_counter() - started

    warnings: list[Result] = []
    if validate:
        # The same gate as `tskg validate` (server.checks.gate): literals, shapes, ontology checks, file:line.
        started = time.perf_counter()
        report = check(sources, engine="fast" if reasoner == "rules" else "pyshacl")
        timings["validate"] = time.perf_counter() - started
        if not report.conforms:
            raise ValidationFailed(report)
        warnings = report.results

    started = time.perf_counter()
    ontology, data = sources.triples["ontology"], sources.triples["data"]
    if reasoner == "rules":
        inferred = inferred_triples(ontology + data)
    else:
        inferred = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
                    for s, p, o in owlrl_inferred(sources.ontology + sources.data)]
    graphs = {GRAPH_ONTOLOGY: ontology, GRAPH_ASSERTED: data, GRAPH_INFERRED: inferred}
    timings["reason"] = time.perf_counter() - started

    started = time.perf_counter()
    counts = _write_store(directory, graphs, timings, warnings, digest)
    timings["store"] = time.perf_counter() - started
    return Build(digest=digest, directory=directory, counts=counts, timings=timings, warnings=warnings)


def _write_store(directory: Path, graphs: dict[str, list[ox.Triple]], timings, warnings, digest) -> dict[str, int]:
    """Write the store and dataset.nq into a staging folder and publish it as the cache entry
    (server.build.cache), so that a failed or killed build never leaves a half-written entry."""
    staging = Path(tempfile.mkdtemp(prefix=cache.STAGING_PREFIX, dir=directory.parent))
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
        started = time.perf_counter()
        derived = derive(store)
        if derived:
            graph = ox.NamedNode(GRAPH_DERIVED)
            exact.extend(store.quads_for_pattern(None, None, None, graph))
            counts["derived"] = derived
            store.flush()
        timings["derive"] = time.perf_counter() - started
        # One batch per graph leaves many small files per index; compacted, queries read up to 2.5× faster
        # (measured on the curated graph: actor-offices, timelines, memberships), as fast as over a store
        # Oxigraph's bulk loader wrote. About 1 s per million quads.
        started = time.perf_counter()
        store.optimize()
        timings["optimize"] = time.perf_counter() - started
        del store
        ox.serialize(exact, str(staging / "dataset.nq"), ox.RdfFormat.N_QUADS)
        meta = {"digest": digest, "counts": counts, "timings": timings, "warnings": [vars(w) for w in warnings]}
        cache.publish(staging, directory, meta)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts


def _load_build(directory: Path) -> Build:
    """The cached build at `directory`, verified (cache.CacheDamaged if it is not whole)."""
    meta = cache.read_meta(directory)
    cache.check_store_opens(directory, [GRAPHS[name] for name, count in meta["counts"].items() if count])
    return Build(
        digest=meta["digest"],
        directory=directory,
        counts=meta["counts"],
        timings=meta["timings"],
        warnings=[Result(**w) for w in meta["warnings"]],
        cached=True,
    )

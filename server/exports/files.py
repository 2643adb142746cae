"""Exports of the built graph: N-Triples, N-Quads, TriG, Turtle, JSON-LD, RDF/XML, and
RDFC-1.0 canonical N-Quads for releases.

The source is the build (server.build): its named graphs, the ontology, the asserted data,
the OWL RL inferences and the derived facts, read from the build's dataset.nq rather than its store, because
the store normalises literals (xsd:nonNegativeInteger becomes xsd:integer, "01" becomes "1").
Dataset formats (N-Quads, TriG) keep the graphs apart; triple formats merge the chosen graphs.

Files are written atomically: into a temporary file beside the target, fsynced, then
renamed over it, so a failed export leaves neither a partial file nor a damaged old one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import pyoxigraph as ox

from .. import jsonld
from ..namespaces import GRAPHS, PREFIXES


class ExportError(Exception):
    """Bad input the user can fix (unknown format, unwritable path): one line, exit code 2."""


@dataclass(frozen=True)
class Format:
    name: str                    # what --format takes
    label: str                   # what people call it
    rdf: ox.RdfFormat
    extensions: tuple[str, ...]  # first one is the usual one

    @property
    def dataset(self) -> bool:
        """Whether the named graphs survive; triple formats merge them."""
        return self.name in ("nq", "trig")


FORMATS = [
    Format("nt", "N-Triples", ox.RdfFormat.N_TRIPLES, (".nt",)),
    Format("nq", "N-Quads", ox.RdfFormat.N_QUADS, (".nq",)),
    Format("trig", "TriG", ox.RdfFormat.TRIG, (".trig",)),
    Format("ttl", "Turtle", ox.RdfFormat.TURTLE, (".ttl",)),
    Format("jsonld", "JSON-LD", ox.RdfFormat.JSON_LD, (".jsonld", ".json")),
    Format("rdfxml", "RDF/XML", ox.RdfFormat.RDF_XML, (".rdf", ".xml", ".owl")),
]
BY_NAME = {f.name: f for f in FORMATS}
ALIASES = {
    "ntriples": "nt", "n-triples": "nt",
    "nquads": "nq", "n-quads": "nq",
    "turtle": "ttl",
    "json-ld": "jsonld", "json": "jsonld",
    "rdf/xml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml", "owl": "rdfxml",
}
BY_EXTENSION = {ext: f for f in FORMATS for ext in f.extensions}
FORMAT_LIST = ", ".join(f"{f.name} ({f.label})" for f in FORMATS)


def resolve_format(name: str | None, output: Path | None, canonical: bool = False) -> Format:
    """The format asked for by name, else the one the output file's extension implies;
    N-Quads for stdout. Raises ExportError listing the formats when neither says."""
    if canonical:
        if name is not None and ALIASES.get(name.lower(), name.lower()) != "nq":
            raise ExportError(f"--canonical writes N-Quads; it cannot be combined with --format {name}")
        return BY_NAME["nq"]
    if name is not None:
        key = ALIASES.get(name.lower(), name.lower())
        if key not in BY_NAME:
            raise ExportError(f"unknown format {name!r}; choose one of: {FORMAT_LIST}")
        return BY_NAME[key]
    if output is None:
        return BY_NAME["nq"]
    suffix = output.suffix.lower()
    if suffix not in BY_EXTENSION:
        known = " ".join(sorted(BY_EXTENSION))
        raise ExportError(
            f"cannot tell the format of {output} from its extension {suffix or '(none)'!r}; "
            f"give --format, one of: {FORMAT_LIST} (or an extension: {known})"
        )
    return BY_EXTENSION[suffix]


def resolve_graphs(names: str | None, no_inferred: bool = False) -> list[str]:
    """Graph IRIs from a comma-separated list of short names (ontology, asserted, inferred)."""
    if names is None:
        chosen = list(GRAPHS)
    else:
        chosen = [n.strip().lower() for n in names.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in GRAPHS]
        if unknown or not chosen:
            raise ExportError(
                f"unknown graph {', '.join(map(repr, unknown)) or '(none given)'}; choose from: {', '.join(GRAPHS)}"
            )
    if no_inferred:
        chosen = [n for n in chosen if n != "inferred"]
    if not chosen:
        raise ExportError("no graph left to export (--no-inferred removed the only one)")
    return [GRAPHS[n] for n in GRAPHS if n in chosen]  # always in the order ontology, asserted, inferred


def load_dataset(built) -> ox.Dataset:
    """The quads of a server.build.Build with their terms as parsed (see the module docstring)."""
    if built.dataset_path.exists():
        return ox.Dataset(ox.parse(path=built.dataset_path, format=ox.RdfFormat.N_QUADS))
    store = built.open_store()  # a cache entry from before dataset.nq: the store's terms
    try:
        return ox.Dataset(store)
    finally:
        del store


def graph_quads(source: ox.Dataset, graphs: Iterable[str]) -> Iterator[ox.Quad]:
    for iri in graphs:
        yield from source.quads_for_graph_name(ox.NamedNode(iri))


# The end of an IRI that RDF/XML can use as the local part of an element name (an NCName).
_NCNAME_TAIL = re.compile(r"(?:[^\W\d]|_)[\w.\-]*$")


def check_rdfxml_predicates(predicates: Iterable[ox.NamedNode]) -> None:
    """RDF/XML writes each predicate as an XML element name, so a predicate IRI must end in
    an NCName (not in '#', '/' or a digit). pyoxigraph writes such IRIs as an invalid empty
    local name instead of failing, so check first and say which predicate is the problem."""
    for predicate in predicates:
        if not _NCNAME_TAIL.search(predicate.value):
            raise ExportError(
                f"RDF/XML cannot write the predicate <{predicate.value}> (its IRI does not end in an "
                f"XML name); use another format, e.g. Turtle or N-Triples"
            )


def serialize(source: ox.Dataset, fmt: Format, graphs: list[str], out: BinaryIO) -> int:
    """Write the chosen graphs of `source` to `out` in `fmt`; return the number of
    statements written (quads for dataset formats, distinct triples otherwise).

    The output is deterministic: blank nodes get their RDFC-1.0 canonical labels (c14n0,
    c14n1, ...) and statements are sorted by graph (ontology, asserted, inferred), subject,
    predicate and object. So the same
    data gives the same bytes from any build, and statements about a subject stay together,
    which keeps Turtle and RDF/XML compact. (The build's own blank node labels are random hex
    strings; pyoxigraph would write those starting with a digit into rdf:nodeID, where RDF/XML
    requires an XML name, and raptor and rdflib then reject the file.)"""
    if fmt.dataset:
        chosen = ox.Dataset(graph_quads(source, graphs))
    else:
        # Merge: a triple stated in two graphs is written once.
        chosen = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in graph_quads(source, graphs))
    chosen.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    quads = sorted(chosen, key=_order)
    if fmt.name == "rdfxml":
        check_rdfxml_predicates({q.predicate for q in quads})
    items = quads if fmt.dataset else [q.triple for q in quads]
    if fmt.name == "jsonld":
        out.write(jsonld.serialize(items, PREFIXES))  # compact, with the project's prefixes as @context
    else:
        ox.serialize(items, out, fmt.rdf, prefixes=used_prefixes(quads))
    return len(items)


_GRAPH_RANK = {iri: rank for rank, iri in enumerate(GRAPHS.values())}


def _order(quad: ox.Quad) -> tuple:
    """Graphs in the order ontology, asserted, inferred; then by subject, predicate, object."""
    graph = quad.graph_name
    return (_GRAPH_RANK.get(graph.value, len(_GRAPH_RANK)) if isinstance(graph, ox.NamedNode) else -1,
            str(quad.subject), str(quad.predicate), str(quad.object))


def used_prefixes(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """The project's prefixes (server.namespaces.PREFIXES) that some IRI of `quads` starts
    with, so that a document declares only the prefixes it uses."""
    iris = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def canonical_nquads(source: ox.Dataset, graphs: list[str]) -> bytes:
    """RDFC-1.0 canonical N-Quads: blank nodes relabelled by the canonicalization
    algorithm, one quad per line, lines sorted by code point. The same graph gives the same
    bytes on every run and machine (for a given pyoxigraph version), whatever the blank node
    labels of the build were."""
    dataset = ox.Dataset(graph_quads(source, graphs))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    # UTF-8 byte order is code point order, as RDFC-1.0 sorts.
    return b"".join(sorted(lines))


def sha256_line(data: bytes, name: str) -> str:
    """One line in the format of `sha256sum` (text mode), so `sha256sum -c` can check it."""
    return f"{hashlib.sha256(data).hexdigest()}  {name}\n"


def check_output_path(path: Path) -> None:
    """Fail early, before any work, when `path` can obviously not be written. Missing folders on the way
    are fine (the export creates them, as `mkdir -p` would): the nearest existing one must be a writable
    directory."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(f"cannot write {path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {path}: no permission to create files in {existing}")


def make_parents(path: Path) -> list[Path]:
    """Create the missing folders above `path`; return those created, outermost first."""
    missing = []
    folder = Path(path).parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir()
    return list(reversed(missing))


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` only once everything was written and synced; missing folders
    above it are created.

    On any error the temporary file is removed and whatever was at `path` is left as it was."""
    path = Path(path)
    try:
        created = make_parents(path)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err.strerror or err}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for folder in reversed(created):  # the folders this export made, so a failure leaves nothing behind
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    _fsync_directory(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class ExportResult:
    format: Format
    graphs: list[str]
    statements: int
    size: int             # bytes written
    seconds: float
    path: Path | None     # None for stdout
    checksum_path: Path | None = None


def export(source: ox.Dataset, fmt: Format, graphs: list[str], output: Path | None,
           canonical: bool = False, stdout: BinaryIO | None = None) -> ExportResult:
    """Serialize to `output` (atomically) or to stdout. For stdout the whole document is
    produced first, so a failure midway does not leave half a document in a pipe."""
    started = time.perf_counter()
    if output is not None:
        check_output_path(output)
    checksum_path = None
    if canonical:
        data = canonical_nquads(source, graphs)
        statements = data.count(b"\n")
        if output is None:
            _write_stdout(data, stdout)
        else:
            try:
                with atomic_output(output) as out:
                    out.write(data)
                checksum_path = output.with_name(output.name + ".sha256")
                with atomic_output(checksum_path) as out:
                    out.write(sha256_line(data, output.name).encode())
            except OSError as err:
                raise ExportError(f"cannot write {output}: {err.strerror or err}") from None
        size = len(data)
    elif output is None:
        with tempfile.SpooledTemporaryFile(max_size=64 << 20) as buffer:
            statements = serialize(source, fmt, graphs, buffer)
            size = buffer.tell()
            buffer.seek(0)
            target = stdout or sys.stdout.buffer
            shutil.copyfileobj(buffer, target)
            target.flush()
    else:
        try:
            with atomic_output(output) as out:
                statements = serialize(source, fmt, graphs, out)
                size = out.tell()
        except OSError as err:
            raise ExportError(f"cannot write {output}: {err.strerror or err}") from None
    return ExportResult(fmt, graphs, statements, size, time.perf_counter() - started, output, checksum_path)


def _write_stdout(data: bytes, stdout: BinaryIO | None) -> None:
    target = stdout or sys.stdout.buffer
    target.write(data)
    target.flush()

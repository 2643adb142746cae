"""The build cache: one folder per digest of the sources, trusted only after it is verified.

    <cache>/<digest>/store/…      the pyoxigraph (RocksDB) store
    <cache>/<digest>/dataset.nq   the same quads with their terms as parsed (exports read it)
    <cache>/<digest>/build.json   counts, timings, warnings, and the size and sha256 of every file above

A build is written into a staging folder (<cache>/.build-…) and renamed into place with build.json
last, so an entry is complete or absent. Before an entry is used, `verify` checks that build.json reads,
that every file it lists is there with its size and checksum, and that the store opens with the graphs
it should hold. A damaged entry is moved aside (<cache>/.damaged/) and the build runs again, saying so:
a half-written or damaged cache is never served. Builds take a lock on the cache folder, so concurrent
builds wait for each other instead of racing, and staging folders left by a killed build are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

MANIFEST = "build.json"
STAGING_PREFIX = ".build-"
DAMAGED = ".damaged"
KEEP_DAMAGED = 3


class CacheDamaged(Exception):
    """A cache entry that must not be used; the message says what is wrong."""


class StoreUnavailable(OSError):
    """A cache entry whose files are whole but whose store cannot be opened here and now (too few file
    descriptors, no memory, ...): the environment's fault, so the entry is kept and the error reported."""


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_of(directory: Path) -> dict[str, dict]:
    """Size and sha256 of every file under `directory` but build.json, by relative path."""
    files = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST):
        files[path.relative_to(directory).as_posix()] = {"size": path.stat().st_size, "sha256": file_digest(path)}
    return files


def read_meta(directory: Path) -> dict:
    """build.json of the entry at `directory`, checked against the files it lists (CacheDamaged if not)."""
    try:
        meta = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CacheDamaged(f"{MANIFEST} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CacheDamaged(f"{MANIFEST} does not read: {err}") from None
    required = ("digest", "counts", "timings", "warnings", "files")
    if not isinstance(meta, dict) or any(key not in meta for key in required):
        raise CacheDamaged(f"{MANIFEST} lacks {', '.join(k for k in required if k not in (meta or {}))}")
    if meta["digest"] != directory.name:
        raise CacheDamaged(f"{MANIFEST} is for another build ({meta['digest'][:12]}…)")
    for name, expected in meta["files"].items():
        path = directory / name
        if not path.is_file():
            raise CacheDamaged(f"{name} is missing")
        if path.stat().st_size != expected["size"]:
            raise CacheDamaged(f"{name} has {path.stat().st_size} bytes, not {expected['size']}")
        if file_digest(path) != expected["sha256"]:
            raise CacheDamaged(f"{name} does not match its checksum")
    for required_file in ("dataset.nq", "store/CURRENT"):
        if required_file not in meta["files"]:
            raise CacheDamaged(f"{MANIFEST} does not list {required_file}")
    return meta


def check_store_opens(directory: Path, graphs: list[str]) -> None:
    """The store, whose files `read_meta` found whole, opens read-only (StoreUnavailable if not) and
    holds the named graphs the build wrote (CacheDamaged if not). Call it in a process that will not
    fork afterwards: opening RocksDB starts threads."""
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(str(directory / "store"))
        found = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        del store  # closed here, not at some later collection
    except OSError as err:
        raise StoreUnavailable(f"the store at {directory / 'store'} does not open: {err}") from None
    if found != sorted(graphs):
        raise CacheDamaged(f"the store holds the graphs {found}, not {sorted(graphs)}")


@contextlib.contextmanager
def locked(cache_dir: Path):
    """Hold the cache folder's lock; stale staging folders are removed once it is held (no build that
    holds the lock is running, so any staging folder left is from a build that was killed)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stale in cache_dir.glob(STAGING_PREFIX + "*"):
                shutil.rmtree(stale, ignore_errors=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def move_aside(directory: Path, reason: str) -> Path:
    """Move a damaged entry out of the way (keeping the last few for a post-mortem) and say so."""
    aside_dir = directory.parent / DAMAGED
    aside_dir.mkdir(exist_ok=True)
    target = aside_dir / f"{directory.name}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    directory.rename(target)
    print(f"tskg: the cached build {directory} is damaged ({reason}); moved it to {target} and building again",
          file=sys.stderr)
    for old in sorted(aside_dir.iterdir(), key=lambda p: p.stat().st_mtime)[:-KEEP_DAMAGED]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def publish(staging: Path, directory: Path, meta: dict) -> None:
    """Write build.json (with the manifest of what `staging` holds) and move `staging` into place.
    An existing entry at `directory` (a rebuild without the cache) is moved aside first."""
    meta = {**meta, "files": manifest_of(staging)}
    (staging / MANIFEST).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    with open(staging / MANIFEST, "rb") as f:
        os.fsync(f.fileno())
    if directory.exists():
        old = directory.parent / DAMAGED / f"{directory.name}-replaced-{time.strftime('%Y%m%dT%H%M%S')}"
        old.parent.mkdir(exist_ok=True)
        directory.rename(old)
        shutil.rmtree(old, ignore_errors=True)
    staging.rename(directory)

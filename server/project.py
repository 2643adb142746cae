"""Where the project's files are: the one place that knows the layout of the repository."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ROOT = PACKAGE_DIR.parent


@dataclass(frozen=True)
class Project:
    """The source files of one checkout: ontology/, graph/ and queries/ under `root`."""

    root: Path

    @classmethod
    def locate(cls, root: str | os.PathLike | None = None) -> "Project":
        """The project at `root`, else $TSKG_ROOT, else the checkout this package lives in."""
        chosen = root or os.environ.get("TSKG_ROOT") or DEFAULT_ROOT
        return cls(Path(chosen).resolve())

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def cache_dir(self) -> Path:
        return Path(os.environ.get("TSKG_CACHE") or self.root / ".cache" / "tskg")

    @property
    def shapes_files(self) -> list[Path]:
        """SHACL shapes: every ontology/*.ttl whose name contains 'shapes'."""
        return sorted(p for p in self.ontology_dir.glob("*.ttl") if "shapes" in p.stem)

    @property
    def ontology_files(self) -> list[Path]:
        """The OWL ontology and its SKOS concept schemes (everything in ontology/ but the shapes)."""
        return sorted(p for p in self.ontology_dir.glob("*.ttl") if "shapes" not in p.stem)

    @property
    def graph_files(self) -> list[Path]:
        return sorted(self.graph_dir.glob("*.ttl"))

    def relative(self, path: Path) -> str:
        """`path` as written in reports: relative to the root when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)


def digest_files(paths: list[Path], salt: str = "") -> str:
    """A sha256 over the names and contents of `paths`: the build cache key."""
    h = hashlib.sha256(salt.encode())
    for path in sorted(paths):
        data = Path(path).read_bytes()
        h.update(f"{Path(path).name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()

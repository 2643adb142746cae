"""Where the project's files are: the one place that knows the layout of the repository."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ROOT = PACKAGE_DIR.parent  # the checkout this package lives in (an editable install)
ROOT_ENV = "TSKG_ROOT"


class NoProject(Exception):
    """No project checkout was given or found: said in one line with the ways to give one."""


def is_project(folder: Path) -> bool:
    """A project checkout holds ontology/ and graph/."""
    return (folder / "ontology").is_dir() and (folder / "graph").is_dir()


def find_root(given: str | os.PathLike | None = None, cwd: Path | None = None) -> tuple[Path, str]:
    """The project root to use and how it was chosen, in this order:

    1. `given` (--root);
    2. $TSKG_ROOT, an explicit setting, as GIT_DIR is for git;
    3. the working directory or the nearest folder above it holding ontology/ and graph/, as git finds
       its repository, so that a command run inside another checkout works on that checkout;
    4. the checkout this package was installed from (an editable install).

    Raises NoProject when none applies (an installed package run outside any checkout)."""
    if given:
        return Path(given).resolve(), "--root"
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve(), f"${ROOT_ENV}"
    here = Path(cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder, "found from the working directory"
    if is_project(DEFAULT_ROOT):
        return DEFAULT_ROOT, "the checkout tskg is installed from"
    raise NoProject(
        f"no project here: neither {here} nor a folder above it holds ontology/ and graph/; "
        f"run tskg inside a checkout, or give --root DIR or ${ROOT_ENV}"
    )


@dataclass(frozen=True)
class Project:
    """The source files of one checkout: ontology/, graph/ and queries/ under `root`."""

    root: Path

    @classmethod
    def locate(cls, root: str | os.PathLike | None = None) -> "Project":
        """The project at `root`, else the one find_root() finds (without saying how)."""
        return cls(find_root(root)[0])

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

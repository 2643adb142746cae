"""A fresh checkout for tests that must run as a newcomer does: a copy of the working tree's files (those git
tracks or would track: `git ls-files --cached --others --exclude-standard`) in a temporary folder, without
.venv, .cache, node_modules or anything else the checkout has grown."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from helpers import REPO_ROOT


def tree_files(root: Path = REPO_ROOT) -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, check=True).stdout.decode()
    return sorted({name for name in listed.split("\0") if name and (root / name).is_file()})


def copy_checkout(destination: Path, root: Path = REPO_ROOT) -> Path:
    """Copy the checkout's files into `destination` (created); return it."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in tree_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    return destination


def copy_sources(destination: Path, root: Path = REPO_ROOT) -> Path:
    """Only ontology/, graph/ and queries/: enough for the command line to take it for a project."""
    for folder in ("ontology", "graph", "queries"):
        shutil.copytree(root / folder, destination / folder)
    return destination

"""Which project the command line works on: --root (before or after the subcommand), else $TSKG_ROOT, else
the working directory or the nearest folder above it holding ontology/ and graph/ (as git finds its
repository), else the checkout the package is installed from; and it says which on stderr."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkout import copy_sources
from helpers import REPO_ROOT, tskg

import server.project as project_module
from server.project import NoProject, find_root


@pytest.fixture(scope="module")
def other_checkout(tmp_path_factory) -> Path:
    """Another checkout with a saved query of its own, so that the output tells which one was used."""
    root = copy_sources(tmp_path_factory.mktemp("other") / "checkout")
    (root / "queries" / "only-in-the-other-checkout.rq").write_text(
        "#+ summary: Only here\n#+ description: A query only the other checkout has.\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    return root


def listed(result) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [line.split()[0] for line in result.stdout.splitlines()]


def test_the_working_directory_inside_another_checkout_is_used_and_said(other_checkout):
    result = tskg("query", "--list", root=None, cwd=other_checkout / "graph")
    assert "only-in-the-other-checkout" in listed(result)
    assert f"tskg: project {other_checkout} (found from the working directory)" in result.stderr


def test_root_after_the_subcommand(other_checkout, tmp_path):
    after = tskg("query", "--list", "--root", str(other_checkout), root=None, cwd=tmp_path)
    assert "only-in-the-other-checkout" in listed(after)
    assert "tskg: project" not in after.stderr  # given, so not repeated
    before = tskg("--root", str(other_checkout), "query", "--list", root=None, cwd=tmp_path)
    assert listed(before) == listed(after)
    # the one after the subcommand wins over the one before
    both = tskg("--root", str(other_checkout), "query", "--list", "--root", str(REPO_ROOT), root=None, cwd=tmp_path)
    assert "only-in-the-other-checkout" not in listed(both)


def test_tskg_root_is_an_explicit_setting(other_checkout):
    result = tskg("query", "--list", root=None, cwd=REPO_ROOT, env={"TSKG_ROOT": str(other_checkout)})
    assert "only-in-the-other-checkout" in listed(result)
    assert f"tskg: project {other_checkout} ($TSKG_ROOT)" in result.stderr


def test_outside_any_checkout_the_installed_checkout_is_used_and_said(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TSKG_ROOT"}
    result = tskg("query", "--list", root=None, cwd=tmp_path, env={**env, "TSKG_ROOT": ""})
    assert "only-in-the-other-checkout" not in listed(result)
    assert f"tskg: project {REPO_ROOT} (the checkout tskg is installed from)" in result.stderr


def test_no_checkout_anywhere_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.delenv("TSKG_ROOT", raising=False)
    monkeypatch.setattr(project_module, "DEFAULT_ROOT", tmp_path / "site-packages")
    with pytest.raises(NoProject, match="give --root DIR or \\$TSKG_ROOT"):
        find_root(None, cwd=tmp_path)
    (tmp_path / "a" / "ontology").mkdir(parents=True)
    (tmp_path / "a" / "graph").mkdir()
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    assert find_root(None, cwd=tmp_path / "a" / "b" / "c") == (tmp_path / "a", "found from the working directory")

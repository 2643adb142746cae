"""`tskg publish URL`: load the graph into a running triple store (SPARQL 1.1 Graph Store Protocol)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ..build import ValidationFailed
from .common import EXIT_NONCONFORMING, EXIT_OK, UsageError
from ..namespaces import GRAPHS
from ..exports.publish import AUTH_SCHEMES, GENID, PublishError, Step, Target, parse_endpoint, publish
from ..exports.files import load_dataset
from .common import load_build

USER_ENV, PASSWORD_ENV = "TSKG_PUBLISH_USER", "TSKG_PUBLISH_PASSWORD"

EPILOG = f"""\
URL is the store's Graph Store Protocol endpoint, used as given:
  Oxigraph        http://localhost:7878/store
  Apache Fuseki   http://localhost:3030/DATASET/data     (DATASET e.g. ds; needs an updatable dataset)
  GraphDB         http://localhost:7200/repositories/REPOSITORY/rdf-graphs/service
  Virtuoso        http://localhost:8890/sparql-graph-crud-auth (HTTP Digest, e.g. --user dba; the user
                  needs the SPARQL_UPDATE role), or /sparql-graph-crud where the SPARQL user may update

Each graph is sent with one HTTP PUT to URL?graph=IRI as text/turtle, replacing that graph
whole, so running publish again leaves the same state and never duplicates triples:
  {GRAPHS['ontology']}
  {GRAPHS['asserted']}
  {GRAPHS['inferred']}   (with --no-inferred: deleted from the store)
Other graphs in the store are not touched.

Each PUT is its own blank-node scope, so a blank node shared by two graphs (e.g. a quote
selector in the asserted graph and its inferred type) would come apart into two nodes. Such
shared blank nodes are sent as Skolem IRIs under {GENID};
blank nodes of one graph only stay blank nodes. --keep-blank-nodes sends all as blank nodes.

To query the store the way tskg's own endpoint answers (default graph = union of the graphs),
turn on its union default graph (Oxigraph: serve --union-default-graph; Fuseki/TDB2:
tdb2:unionDefaultGraph true; GraphDB and Virtuoso do so by default), or use GRAPH/FROM in queries.

Credentials: --user and --password, or ${USER_ENV} and ${PASSWORD_ENV}
(better than --password, which other users can see in the process list), or user:password@ in URL.
--auth auto (default): the first request goes without credentials and the store's 401 challenge
chooses HTTP Basic or HTTP Digest; --auth digest answers Digest challenges only (the password never
travels in clear); --auth basic sends Basic from the first request on (stores that never challenge).

exit codes: 0 published, 1 the data does not conform to the shapes, 2 bad URL or the store could
not be reached or refused the data (its message is printed), 3 internal error.

examples:
  tskg publish http://localhost:7878/store
  {USER_ENV}=admin {PASSWORD_ENV}=secret tskg publish http://localhost:3030/ds/data --no-inferred
  {USER_ENV}=dba {PASSWORD_ENV}=dba tskg publish http://localhost:8890/sparql-graph-crud-auth --auth digest
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="load the graph into a running triple store (SPARQL Graph Store Protocol)",
        description="Replace our named graphs in a running triple store, over the SPARQL 1.1 "
                    "Graph Store HTTP Protocol (Oxigraph, Fuseki, GraphDB, Virtuoso, ...).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", metavar="URL", help="the store's Graph Store Protocol endpoint")
    parser.add_argument("--user", "-u", help=f"user name for HTTP Basic or Digest authentication (or ${USER_ENV})")
    parser.add_argument("--password", "-p", help=f"password (or ${PASSWORD_ENV}; asked for on a terminal)")
    parser.add_argument("--auth", choices=AUTH_SCHEMES, default="auto",
                        help="auto (as the store's challenge asks: Basic or Digest), basic (sent at once) or digest "
                             "(default: auto)")
    parser.add_argument("--no-inferred", action="store_true",
                        help="send the ontology and asserted graphs only, and delete the inferred graph there")
    parser.add_argument("--keep-blank-nodes", action="store_true",
                        help="send blank nodes shared between graphs as blank nodes, not Skolem IRIs")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="give up when the store does not answer for this long (default: 60)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    parser.set_defaults(func=run)


def credentials(args, url_user: str | None, url_password: str | None) -> tuple[str | None, str | None]:
    user = args.user or os.environ.get(USER_ENV) or url_user
    password = args.password or os.environ.get(PASSWORD_ENV) or url_password
    if user is None and password is not None:
        raise UsageError(f"a password was given but no user (--user or ${USER_ENV})")
    if user is not None and password is None:
        if not sys.stdin.isatty():
            raise UsageError(f"no password for user {user!r}: give --password or ${PASSWORD_ENV}")
        password = getpass.getpass(f"password for {user}: ")
    return user, password


def run(args) -> int:
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    try:
        endpoint, url_user, url_password = parse_endpoint(args.url)
    except PublishError as err:
        raise UsageError(str(err)) from None
    user, password = credentials(args, url_user, url_password)
    target = Target(endpoint, user, password, args.timeout, auth=args.auth)

    try:
        built = load_build(args)
    except ValidationFailed as failed:
        print(f"tskg {args.command}: error: the data does not conform to the shapes "
              f"({len(failed.report.violations)} violation(s)); run `tskg validate` to see them", file=sys.stderr)
        return EXIT_NONCONFORMING

    # Each graph the build wrote replaces its namesake at the target; one it left empty (the derived
    # graph when no rule derived anything) or that was left out is deleted there, so none goes stale.
    written = {n for n, count in built.counts.items() if count}
    names = [n for n in GRAPHS if n in written and not (args.no_inferred and n == "inferred")]
    remove = [n for n in GRAPHS if n not in names]

    def report(step: Step) -> None:
        if args.quiet:
            return
        if step.action == "replaced":
            print(f"{step.name}: replaced <{step.graph}> with {step.triples} triples "
                  f"({step.size:,} bytes, HTTP {step.status}, {step.seconds:.2f} s)", file=sys.stderr)
        else:
            state = "was not there" if step.status == 404 else f"deleted (HTTP {step.status})"
            print(f"{step.name}: <{step.graph}> {state}", file=sys.stderr)

    try:
        publish(load_dataset(built), target, names, remove, skolem=not args.keep_blank_nodes, report=report)
    except PublishError as err:
        raise UsageError(str(err)) from None
    if not args.quiet:
        print(f"published to {endpoint}", file=sys.stderr)
    return EXIT_OK

"""The command line: `tskg SUBCOMMAND ...` (or `python -m server SUBCOMMAND ...`).

Each subcommand lives in its own module under server/commands/ and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> exit code`.

Exit codes, shared by every subcommand:
  0 success (for validate: the data conforms), 1 the data does not conform,
  2 unreadable or invalid input or usage, 3 internal error or a failing environment (said in one line).
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .commands import bench, export, generate, publish, query, reason, serve, validate
from .commands.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, UsageError
from .project import NoProject, find_root

# The subcommands, in the order `--help` lists them: each module's `register` adds its parser.
COMMANDS = (validate, reason, export, publish, query, serve, generate, bench)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tskg", description="Validate, reason over, export, publish, query and serve the Turkey–Serbia–Kosovo graph."
    )
    parser.add_argument("--version", action="version", version=f"tskg {__version__}")
    parser.add_argument("--root", metavar="DIR", help=ROOT_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(sub)
    for subparser in sub.choices.values():
        # --root after the subcommand too; SUPPRESS keeps a --root given before it when none comes after.
        subparser.add_argument("--root", metavar="DIR", default=argparse.SUPPRESS, help=ROOT_HELP)
    return parser


ROOT_HELP = ("project checkout to use (default: $TSKG_ROOT, else the working directory or the nearest folder "
             "above it holding ontology/ and graph/, else the checkout tskg is installed from)")


def resolve_root(args) -> None:
    """Settle the project root once, so that every part of the command (and the server's processes) uses
    the same one, and say on stderr which it is unless it was given with --root or --quiet asked for
    silence."""
    root, how = find_root(args.root)
    if how != "--root" and not getattr(args, "quiet", False):
        print(f"tskg: project {root} ({how})", file=sys.stderr)
    args.root = str(root)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        resolve_root(args)
        return args.func(args)
    except NoProject as err:
        print(f"tskg {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UsageError as err:
        print(f"tskg {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as err:  # the environment: permissions, a full disk, too few file descriptors, ...
        print(f"tskg {args.command}: error: {err}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as err:  # noqa: BLE001 - last resort: say what broke, exit 3
        print(f"tskg {args.command}: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

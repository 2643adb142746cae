"""What the subcommands share: exit codes, the error a user can fix, and loading the build with
user errors turned into one-line messages."""

from __future__ import annotations

EXIT_OK, EXIT_NONCONFORMING, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input the user can fix: printed as one line, exit code 2."""


def load_build(args):
    """The build for --root (server.build.build), with user errors turned into one-line messages."""
    from ..build import build
    from ..project import Project
    from ..sources.turtle import TurtleSyntaxError

    try:
        return build(Project.locate(args.root))
    except TurtleSyntaxError as err:
        raise UsageError(f"{err} (run `tskg validate` for details)") from None
    except FileNotFoundError as err:
        raise UsageError(f"cannot read {err.filename}: {err.strerror}") from None


def validation_summary(report, limit: int = 10) -> str:
    """The first `limit` violations of a report, a line each with file:line, for commands that stop on them."""
    lines = [f"the data does not pass validation (tskg validate): {len(report.violations)} violation(s)"]
    for r in report.violations[:limit]:
        where = f"{r.file}:{r.line}: " if r.file and r.line else (f"{r.file}: " if r.file else "")
        lines.append(f"  {where}{r.focus}: {r.message}")
    if len(report.violations) > limit:
        lines.append(f"  … and {len(report.violations) - limit} more (run `tskg validate` for all)")
    return "\n".join(lines)

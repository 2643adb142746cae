"""The command line's subcommands, one module each with `register(subparsers)` (adds its parser and sets
`func(args) -> exit code`); server/cli.py imports and registers them by name. What they share (exit
codes, UsageError, loading the build, the summary of violations) is in server.commands.common."""

"""One module per subcommand of `tskg`; see server/cli.py."""

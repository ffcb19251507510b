"""Command-line tools (``python -m nlf_planner.cli.…``): the same services the pages call,
acting as the server's own user, so the rules and the audit trail are the same."""

"""The `pricewatch` command line (INTERFACE.md): parse, call a service, commit, report.

Exit status: 0 on success, 1 on bad input (message on stderr, nothing changed), 2 on usage errors.
The same group runs as `flask --app app pricewatch ...`.
"""
from __future__ import annotations

import sys

import click

from pricewatch.cli.common import BadInput, get_runtime  # noqa: F401 - re-exported
from pricewatch.cli.data import export_group, import_group
from pricewatch.cli.ops import check_cmd, db_group, demo_cmd, report_cmd, scheduler_cmd, serve_cmd, users_group


@click.group(help="pricewatch: the monthly price check of the government procurement mall.")
def cli():
    """The command group."""


for _command in (db_group, import_group, check_cmd, export_group, report_cmd, scheduler_cmd, users_group,
                 demo_cmd, serve_cmd):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the installed `pricewatch` command."""
    try:
        cli.main(args=argv, prog_name="pricewatch", standalone_mode=True)
    except SystemExit as exc:
        sys.exit(exc.code)

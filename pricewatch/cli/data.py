"""Data in and out: `import listings|observations|orders FILE`, `export results PERIOD -o FILE`."""
from __future__ import annotations

import os
from pathlib import Path

import click

from pricewatch.cli.common import BadInput, BarProgress, committing, get_runtime
from pricewatch.domain.periods import PeriodError, parse_period

_KINDS = ("listings", "observations", "orders")


def _check_file(path: str) -> Path:
    """The file to import, which must exist and be .csv or .xlsx."""
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{path}: no such file")
    if p.suffix.lower() not in (".csv", ".xlsx"):
        raise BadInput(f"{path}: expected a .csv or .xlsx file")
    return p


@click.group("import", help="Import listings, price quotes or order lines (.csv or .xlsx).")
def import_group():
    """The import commands."""


def _make_import(kind: str):
    """One `import KIND FILE` command."""

    @click.command(kind, help=f"Import {kind} from FILE (.csv or .xlsx); a bad file changes nothing.")
    @click.argument("file", type=click.Path(dir_okay=False))
    def command(file):
        from pricewatch.importers import ImportRejected
        from pricewatch.services import imports

        path = _check_file(file)
        runtime = get_runtime()
        service = getattr(imports, f"import_{kind}")
        progress = BarProgress()
        try:
            with committing(runtime) as session:
                summary = service(session, path, actor=os.environ.get("USER", "cli"), today=None,
                                  progress=progress, settings=runtime.settings)
        except ImportRejected as exc:
            progress.close()
            raise BadInput(f"{file}: rejected, nothing was stored\n{exc}") from exc
        progress.close()
        click.echo(f"{file}: {summary}")

    return command


for _kind in _KINDS:
    import_group.add_command(_make_import(_kind))


@click.group("export", help="Export results.")
def export_group():
    """The export commands."""


@export_group.command("results", help="One CSV row per listing checked in PERIOD (YYYY-MM).")
@click.argument("period")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The CSV file to write ('-' for standard output).")
def export_results(period, output):
    """Write the results CSV of a period."""
    from pricewatch.services.checks import existing_run
    from pricewatch.services.exports import write_results_csv

    try:
        parse_period(period)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="PERIOD") from exc
    runtime = get_runtime()
    with runtime.session_factory() as session:
        if existing_run(session, period) is None:
            raise BadInput(f"period {period} has not been checked; run `pricewatch check {period}` first")
        if output == "-":
            count = write_results_csv(session, period, click.get_text_stream("stdout"))
        else:
            tmp = Path(output).with_name(Path(output).name + ".part")
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                count = write_results_csv(session, period, fh, BarProgress())
            os.replace(tmp, output)
    click.echo(f"{count} listings written to {output}", err=output == "-")

"""Operations: db upgrade, check, report, scheduler, users, demo, serve."""
from __future__ import annotations

import os
from pathlib import Path

import click

from pricewatch.cli.common import BadInput, BarProgress, committing, get_runtime
from pricewatch.domain.periods import PeriodError, parse_period


def _period(value: str, hint: str = "PERIOD") -> str:
    """Validate a YYYY-MM argument (a malformed one is a usage error, exit 2)."""
    try:
        parse_period(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc
    return value


@click.group("db", help="Database schema.")
def db_group():
    """The database commands."""


@db_group.command("upgrade", help="Create or migrate the schema (safe to repeat).")
def db_upgrade():
    """Run the Alembic migrations to head."""
    from pricewatch.db.migrate import upgrade

    runtime = get_runtime()
    upgrade(runtime.engine)
    click.echo(f"schema up to date ({runtime.engine.url.render_as_string(hide_password=True)})")


@click.command("check", help="Run the monthly check for PERIOD (YYYY-MM); repeating it changes nothing.")
@click.argument("period")
def check_cmd(period):
    """Compute the period's indicators, bands and cases."""
    from pricewatch.services.checks import CheckError, run_check

    _period(period)
    runtime = get_runtime()
    try:
        outcome = run_check(runtime.session_factory, runtime.settings, period,
                            actor=os.environ.get("USER", "cli"), progress=BarProgress())
    except CheckError as exc:
        raise BadInput(str(exc)) from exc
    if outcome.is_new:
        _publish_snapshot(runtime, period)
    b = outcome.bands
    verb = "checked" if outcome.is_new else "already checked (nothing changed)"
    click.echo(
        f"{period}: {verb}: {outcome.listings_checked} listings; insufficient {b['insufficient']}, "
        f"normal {b['normal']}, evidence {b['evidence']}, delist {b['delist']}; "
        f"{outcome.quotes_used} quotes, {outcome.quotes_dropped} dropped as outliers; "
        f"{outcome.cases_opened} cases opened, {outcome.delisted} listings delisted"
    )


def _publish_snapshot(runtime, period: str) -> None:
    """Keep the period's report as published right after its check."""
    from pricewatch.services.reports import snapshot_report

    with committing(runtime) as session:
        snapshot_report(session, period, actor="check", settings=runtime.settings)


_FORMATS = ("csv", "xlsx", "pdf", "json")


@click.command("report", help="The monthly report of PERIOD (or of PERIOD..--to) as csv, xlsx, pdf or json.")
@click.argument("period")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), required=True, help="File format.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--to", "period_to", default=None, help="Last period of a range (YYYY-MM).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default=None,
              help="Language of csv/xlsx/pdf labels (default: the configured one).")
def report_cmd(period, fmt, output, period_to, locale):
    """Build the report and write it atomically."""
    from pricewatch.reports import render
    from pricewatch.services.reports import ReportError, build_report

    _period(period)
    if period_to:
        _period(period_to, "--to")
    runtime = get_runtime()
    locale = locale or runtime.settings.get("default_locale", "zh_CN")
    try:
        with runtime.session_factory() as session:
            report = build_report(session, period, period_to, settings=runtime.settings, progress=BarProgress())
    except ReportError as exc:
        raise BadInput(str(exc)) from exc
    data = render(report, fmt, locale=locale)
    tmp = Path(output).with_name(Path(output).name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, output)
    click.echo(f"report {period}{'..' + period_to if period_to else ''} ({fmt}) written to {output}")


@click.command("scheduler", help="Run the scheduler process (monthly check, deadlines) in the foreground.")
@click.option("--once", is_flag=True, help="Catch up what is due, then exit (no waiting).")
def scheduler_cmd(once):
    """Run the scheduler until interrupted."""
    from pricewatch.scheduler.process import run_scheduler

    run_scheduler(get_runtime(), once=once)


@click.group("users", help="User accounts.")
def users_group():
    """The user commands."""


@users_group.command("add", help="Add a user; asks for the password.")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "monitor", "supplier", "viewer"]), required=True)
@click.option("--supplier", "supplier", default=None, help="Supplier id (required for --role supplier).")
@click.option("--email", default="", help="E-mail address for notifications.")
@click.password_option("--password", prompt="Password", help="Asked for when not given.")
def users_add(name, role, supplier, email, password):
    """Create a user account."""
    from pricewatch.services.users import UserError, create_user

    if role == "supplier" and not supplier:
        raise click.BadParameter("--supplier is required with --role supplier", param_hint="--supplier")
    runtime = get_runtime()
    try:
        with committing(runtime) as session:
            create_user(session, name, password, role, supplier_code=supplier, email=email,
                        actor=os.environ.get("USER", "cli"))
    except UserError as exc:
        raise BadInput(str(exc)) from exc
    click.echo(f"user {name} added ({role}{' of supplier ' + supplier if supplier else ''})")


@click.command("demo", help="Fill an empty database with a realistic demo month.")
@click.option("--listings", default=3000, show_default=True, help="How many listings to make.")
@click.option("--seed", default=20261001, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database already has data.")
def demo_cmd(listings, seed, if_empty):
    """Load the demo data set, run its check and play out cases."""
    from pricewatch.services.demo import DemoError, database_is_empty, load_demo

    runtime = get_runtime()
    if if_empty and not database_is_empty(runtime):
        click.echo("demo: the database already has data; left as it is")
        return
    try:
        summary = load_demo(runtime, listings=listings, seed=seed, progress=BarProgress())
    except DemoError as exc:
        raise BadInput(str(exc)) from exc
    click.echo(summary)


@click.command("serve", help="Serve the web application with gunicorn (production WSGI server).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes  [default: 2 x CPUs + 1]")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(min=1),
              help="Threads per worker (1: sync workers; more: gthread workers with keep-alive).")
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
def serve_cmd(host, port, workers, threads, access_log):
    """Run the web app; never starts a scheduler."""
    from pricewatch.web.server import default_workers, serve

    get_runtime()  # a configuration error stops here, with its message, before any worker starts
    workers = workers or default_workers()
    click.echo(f"pricewatch is serving at http://{host}:{port}/ ({workers} workers x {threads} threads)", err=True)
    serve(host, port, workers, threads, access_log=access_log)

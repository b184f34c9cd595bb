"""The command line of INTERFACE.md end to end, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from pricewatch.cli import cli

LISTINGS = """listing_id,product_id,supplier_id,supplier_name,category,name,mall_price,committed_discount
L-1,P-1,S-1,Alpha,shredder,碎纸机 A,1380.00,0.03
L-2,P-1,S-2,Beta,shredder,碎纸机 A,1144.00,0
L-3,P-2,S-1,Alpha,paper,复印纸,30.00,
"""
QUOTES = """product_id,source,price,observed_on,origin
P-1,index,1150.00,2026-10-03,index-a
P-1,gov,1140.00,2026-10-05,mall-b
P-1,ecommerce,1139.00,2026-10-07,jd
P-1,ecommerce,1145.00,2026-10-08,tmall
P-1,retail,1146.00,2026-10-09,shop
P-2,retail,20.00,2026-10-09,shop
P-2,gov,20.00,2026-10-09,mall
"""
ORDERS = """order_id,line_no,listing_id,buyer_id,ordered_on,quantity,unit_price
O-1,1,L-2,B-1,2026-10-12,3,1144.00
O-1,2,L-3,B-1,2026-10-12,10,30.00
"""


@pytest.fixture
def run(empty_engine, tmp_path, monkeypatch):
    """Invoke `pricewatch ...` against the fresh database, returning the click Result."""
    url = empty_engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    env = {"PRICEWATCH_DATABASE_URL": url, "PRICEWATCH_ENV": "testing",
           "PRICEWATCH_UPLOADS__DIRECTORY": str(tmp_path / "ev")}

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_month_from_import_to_export_and_report(run, tmp_path):
    assert run("import", "listings", _write(tmp_path, "l.csv", LISTINGS)).exit_code == 0
    assert run("import", "observations", _write(tmp_path, "o.csv", QUOTES)).exit_code == 0
    assert run("import", "orders", _write(tmp_path, "r.csv", ORDERS)).exit_code == 0
    first = run("check", "2026-10")
    assert first.exit_code == 0, first.output
    assert "evidence 1" in first.output
    again = run("check", "2026-10")
    assert again.exit_code == 0 and "already checked" in again.output
    out = tmp_path / "results.csv"
    assert run("export", "results", "2026-10", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by_id = {r["listing_id"]: r for r in rows}
    # P-1: index 1150, gov 1140, ecommerce 1142, retail 1146 -> monitored 1144.50
    assert by_id["L-1"]["monitored_price"] == "1144.50"
    assert by_id["L-1"]["ecommerce_avg"] == "1142.00"
    assert (by_id["L-1"]["deviation"], by_id["L-1"]["band"]) == ("0.2058", "evidence")
    assert (by_id["L-2"]["deviation"], by_id["L-2"]["band"]) == ("-0.0004", "normal")
    assert by_id["L-3"]["band"] == "delist"
    report = tmp_path / "report.json"
    assert run("report", "2026-10", "--format", "json", "-o", str(report)).exit_code == 0
    data = json.loads(report.read_text())
    assert data["period"] == "2026-10" and data["listings_checked"] == 3
    assert data["bands"] == {"insufficient": 0, "normal": 1, "evidence": 1, "delist": 1}
    assert data["high_price_share"] == pytest.approx(2 / 3)
    # O-1/1: 1144.00 <= 1142.00 x 1 ? no -> non-compliant; O-1/2: no e-commerce avg, monitored 20.00 -> non-compliant
    assert data["orders"]["lines"] == 2


def test_a_bad_file_exits_1_names_the_line_and_stores_nothing(run, tmp_path):
    assert run("import", "listings", _write(tmp_path, "l.csv", LISTINGS)).exit_code == 0
    bad = QUOTES + "P-9,gov,12.00,2026-10-01,x\nP-1,bazaar,12.00,2026-10-01,x\n"
    result = run("import", "observations", _write(tmp_path, "o.csv", bad))
    assert result.exit_code == 1
    assert "line 9, column product_id" in result.output
    assert "line 10, column source" in result.output
    check = run("check", "2026-10")  # nothing of the file was stored: there is no quote to check
    assert check.exit_code == 1 and "no price quote" in check.output


def test_a_month_checked_before_its_quotes_arrive_is_refused_and_stays_open(run, tmp_path):
    assert run("import", "listings", _write(tmp_path, "l.csv", LISTINGS)).exit_code == 0
    early = run("check", "2026-10")
    assert early.exit_code == 1 and "period 2026-10: no price quote" in early.output
    assert run("import", "observations", _write(tmp_path, "o.csv", QUOTES)).exit_code == 0
    late = run("check", "2026-10")
    assert late.exit_code == 0, late.output


@pytest.mark.parametrize("args", [
    ("check", "2026-13"), ("check",), ("report", "2026-10", "--format", "doc", "-o", "x"),
    ("users", "add", "x", "--role", "king"), ("frobnicate",),
])
def test_usage_errors_exit_2(run, args):
    assert run(*args).exit_code == 2


def test_a_missing_file_is_bad_input(run, tmp_path):
    result = run("import", "listings", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "no such file" in result.output


def test_exporting_an_unchecked_period_is_bad_input(run, tmp_path):
    result = run("export", "results", "2026-09", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 1 and "has not been checked" in result.output


def test_users_add_asks_for_the_password(run, tmp_path):
    assert run("import", "listings", _write(tmp_path, "l.csv", LISTINGS)).exit_code == 0
    ok = run("users", "add", "alpha", "--role", "supplier", "--supplier", "S-1", input="s3cret-pass\ns3cret-pass\n")
    assert ok.exit_code == 0, ok.output
    unknown = run("users", "add", "ghost", "--role", "supplier", "--supplier", "S-404",
                  input="s3cret-pass\ns3cret-pass\n")
    assert unknown.exit_code == 1

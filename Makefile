# The two commands of the README:
#   make run   - set up, create the schema, load the demo month if the database is empty,
#                start the scheduler process and serve the app at the printed address
#   make test  - set up, then run the whole test suite on SQLite and PostgreSQL
.PHONY: run test setup bench

HOST ?= 127.0.0.1
PORT ?= 8000

setup:
	@bash scripts/setup.sh

run:
	@bash scripts/setup.sh
	@bash scripts/run.sh $(HOST) $(PORT)

test:
	@bash scripts/setup.sh --test
	@bash scripts/test.sh

bench:
	@bash scripts/setup.sh
	.venv/bin/python bench/run_check_bench.py --listings $${LISTINGS:-520000}

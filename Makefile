# Kiến Tạo — two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
# Two processes (the machines have 2 cores); the tests that use the real job queue take a
# lock file so that they run one at a time across processes (tests/core/test_jobs.py).
PYTEST_ARGS ?= -n 2

.PHONY: run test lint typecheck pytest pytest-postgres install install-dev vendor messages clean

run: $(VENV)/.app
	$(BIN)/kientao serve

test: $(VENV)/.dev lint typecheck pytest pytest-postgres

install: $(VENV)/.app
install-dev: $(VENV)/.dev

$(VENV)/.app: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.app requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	@touch $@

lint: $(VENV)/.dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy kientao

# Every test on SQLite with the database job queue (whatever DATABASE_URL/REDIS_URL say) ...
pytest: $(VENV)/.dev
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest $(PYTEST_ARGS)

# ... then every database test again on PostgreSQL (and RQ when REDIS_URL is set).
pytest-postgres: $(VENV)/.dev
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== database tests on $$DATABASE_URL (jobs: $${REDIS_URL:-database queue}) =="; \
		$(BIN)/pytest $(PYTEST_ARGS) -m dbtest; \
	else \
		echo "DATABASE_URL is not set: database tests ran on SQLite only."; \
	fi

# Refresh the front-end files served by the app (needs Node.js; the results are committed).
vendor:
	npm install --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js kientao/core/static/core/vendor/htmx/htmx.min.js
	cp node_modules/htmx.org/LICENSE kientao/core/static/core/vendor/htmx/LICENSE
	cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE kientao/systemmaps/static/systemmaps/vendor/cytoscape/

# Extract new strings into the Vietnamese catalogue and compile it (needs GNU gettext).
messages: $(VENV)/.app
	$(BIN)/kientao manage makemessages -l vi --no-obsolete --ignore=".venv/*" --ignore="benchmarks/*" --ignore="tests/*" --ignore="var/*" --ignore="node_modules/*"
	$(BIN)/kientao manage compilemessages --ignore=".venv/*"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

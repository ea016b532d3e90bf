# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo .tools/uv)
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format messages worker clean

## make run: install, migrate, load demo data and serve on http://127.0.0.1:8000
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: install, then lint, check migrations and run the whole test suite
test: install
	@bash scripts/ensure_test_tools.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=gdpa.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest $(PYTEST_ARGS)

install: .venv/.installed
	@python3 scripts/compile_messages.py 2>/dev/null || $(PY) scripts/compile_messages.py

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python python3
	touch $@

.tools/uv:
	python3 scripts/get_uv.py .tools

lint:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

## make messages: refresh the French and Spanish catalogues (needs GNU gettext)
messages: install
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(PY) scripts/compile_messages.py

## make worker: a Celery worker and beat against REDIS_URL (not needed for `make run`)
worker: install
	DJANGO_SETTINGS_MODULE=gdpa.settings.local .venv/bin/celery -A gdpa worker -B -Q default,heavy --loglevel=INFO

clean:
	rm -rf .venv .tools var db.sqlite3

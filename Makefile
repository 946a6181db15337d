# The few verbs people type. `make run` and `make test` work on a fresh clone with only
# Python 3.11: they make .venv and install the exact versions from constraints.txt.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Two processes: this machine has two cores.
PYTEST_ARGS ?= -n 2
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run worker test test-fast lint format lock bench clean
.DEFAULT_GOAL := help

# `make` alone lists the verbs.
help:
	@echo "make run            cài đặt, nạp dữ liệu trình diễn, chạy http://$(HOST):$(PORT)/ (install, seed the demo, serve)"
	@echo "make run PORT=8001  như trên, ở cổng khác khi cổng $(PORT) đang bận (another port)"
	@echo "make test           toàn bộ kiểm thử (the whole test suite); PYTEST_ARGS=\"-k plan -x\" to choose"
	@echo "make lint           ruff, migrations check, import-linter, mypy"
	@echo "make format         ruff --fix and ruff format"
	@echo "make worker         Celery worker with beat on its own"
	@echo "make bench          timings at two sizes (docs/performance.md)"
	@echo "make lock           refresh constraints.txt"
	@echo "make clean          remove .venv and var/ (the demo database and mail too)"

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Cần Python 3.11 ($(PYTHON)) — Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

# The application on the embedded default: SQLite, a Celery worker with beat on a broker
# in folders under var/, e-mail to files under var/mail/. Demo accounts are printed.
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "Mở http://$(HOST):$(PORT)/ — nhấn Ctrl+C để dừng (press Ctrl+C to stop)."
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/celery -A plan112 worker --beat --pool=solo --loglevel=warning \
		--schedule var/celerybeat-schedule >var/worker.log 2>&1 & worker=$$!; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A plan112 worker --beat --pool=solo --loglevel=info --schedule var/celerybeat-schedule

# The whole suite; browser tests need Debian's Chromium (scripts/ensure-chromium).
test: install
	@scripts/ensure-chromium || true
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-resolve the newest allowed versions and write them to constraints.txt.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e ".[dev]"
	{ echo '# Exact versions for every install (pip install -c constraints.txt -e ".[dev]").'; \
	  echo '# Refresh: make lock'; .lock-venv/bin/pip freeze --exclude-editable | sort -f; } > constraints.txt
	rm -rf .lock-venv

# Timings at 160 and 52,000 grassroots organisations (a tree of about 55,000 with their
# committees) against PostgreSQL on 127.0.0.1 (its own plan112_bench_* databases, never
# the test ones); figures printed and written to bench/. See docs/performance.md.
bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

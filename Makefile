# Hall: make venv | make demo | make test | make clean | make venv-prod (production: docs/deploying.md)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv

PROD_VENV ?= venv

.PHONY: venv venv-prod demo test clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install -e '.[test]'
	touch $@

# Production: Hall and its runtime dependencies only - no test tools, no demo generator - into a fresh
# virtualenv (default ./venv; make venv-prod PROD_VENV=/opt/hall/venv). Not editable: upgrade = pull + run again.
venv-prod:
	test -x $(PROD_VENV)/bin/python || $(PYTHON) -m venv $(PROD_VENV)
	$(PROD_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PROD_VENV)/bin/python -m pip install --upgrade .
	$(PROD_VENV)/bin/hall --help > /dev/null

demo: venv
	$(VENV)/bin/hall demo --host 127.0.0.1 --port 8000

# Extra pytest arguments: make test ARGS='-k login -x'
test: venv
	scripts/ensure-browser
	scripts/ensure-radius
	scripts/ensure-dovecot
	scripts/run-tests $(ARGS)

clean:
	rm -rf var/ test-artifacts/

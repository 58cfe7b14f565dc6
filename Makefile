# Hall: make venv | make demo | make test | make clean
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv

.PHONY: venv demo test clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install -e '.[test]'
	touch $@

demo: venv
	$(VENV)/bin/hall demo --host 127.0.0.1 --port 8000

# Extra pytest arguments: make test ARGS='-k login -x'
test: venv
	scripts/ensure-browser
	scripts/run-tests $(ARGS)

clean:
	rm -rf var/ test-artifacts/

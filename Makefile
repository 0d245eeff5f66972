# Besace — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= .demo
DEMO_SHARE := $(DEMO_DIR)/partage
DEMO_PROJECT := $(DEMO_DIR)/saint-exemple.besace

.PHONY: venv run test lint unit bench catalog clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Until the desktop window lands, `make run` walks the demo mission on the command line.
run: venv
	@echo "== Besace: the desktop window is not there yet; here is the demo mission on the command line =="
	@test -d "$(DEMO_SHARE)" || $(BIN)/besace demo "$(DEMO_SHARE)"
	@test -f "$(DEMO_PROJECT)" || $(BIN)/besace new "$(DEMO_PROJECT)" --name "Mairie de Saint-Exemple-sur-Loire" \
		--commune "Saint-Exemple-sur-Loire" --producer "Mairie de Saint-Exemple-sur-Loire" \
		--transferring-agency "Secrétariat de mairie" --archival-agency "Archives départementales"
	$(BIN)/besace scan "$(DEMO_PROJECT)" "$(DEMO_SHARE)"
	$(BIN)/besace stats "$(DEMO_PROJECT)"
	$(BIN)/besace inventory "$(DEMO_PROJECT)" --csv "$(DEMO_DIR)/inventaire.csv"
	@echo "== Inventory: $(DEMO_DIR)/inventaire.csv — history: $(BIN)/besace history $(DEMO_PROJECT) =="

lint: venv
	$(BIN)/ruff check app tests bench tools
	$(BIN)/ruff format --check app tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python tools/update_catalog.py --check

unit: venv
	$(BIN)/python -m pytest

test: lint unit

bench: venv
	$(BIN)/python bench/bench_scan.py

catalog: venv
	$(BIN)/python tools/update_catalog.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .pytest_cache .ruff_cache

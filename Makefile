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

SHARED_SEDA := ../shared/seda

# Until the desktop window lands, `make run` walks the demo mission on the command line.
run: venv
	@echo "== Besace : la fenêtre arrive bientôt ; voici la mission de démonstration en ligne de commande =="
	@test -d "$(DEMO_SHARE)" || $(BIN)/besace demo "$(DEMO_SHARE)"
	@test -f "$(DEMO_PROJECT)" || $(BIN)/besace new "$(DEMO_PROJECT)" --name "Mairie de Saint-Exemple-sur-Loire" \
		--commune "Saint-Exemple-sur-Loire" --producer "Mairie de Saint-Exemple-sur-Loire" \
		--transferring-agency "Secrétariat de mairie" --archival-agency "Archives départementales"
	$(BIN)/besace scan "$(DEMO_PROJECT)" "$(DEMO_SHARE)"
	$(BIN)/besace stats "$(DEMO_PROJECT)"
	$(BIN)/besace inventory "$(DEMO_PROJECT)" --csv "$(DEMO_DIR)/inventaire.csv"
	@if [ -d "$(SHARED_SEDA)" ]; then $(BIN)/besace schemas install "$(SHARED_SEDA)"; fi
	$(BIN)/besace describe "$(DEMO_PROJECT)" "Mairie de Saint-Exemple-sur-Loire/Finances" \
		--set "Description=Budgets, comptes administratifs et pièces comptables de la commune"
	$(BIN)/besace build "$(DEMO_PROJECT)" --out "$(DEMO_DIR)/paquets" --seda 2.2 --profile vitam \
		--folder "Mairie de Saint-Exemple-sur-Loire/Finances" --title "Finances communales" \
		--agreement IC-000001 --archival-agency FRAD045 --transferring-agency FRAD045_MAIRIE \
		--appraisal APP-FIN:2025-01-01 --final-action Keep --access ACC-00001 --reproducible
	@echo "== Inventaire : $(DEMO_DIR)/inventaire.csv ; paquets SEDA : $(DEMO_DIR)/paquets/ =="

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

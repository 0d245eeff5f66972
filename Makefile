# Besace — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= .demo
DEMO_SHARE := $(DEMO_DIR)/partage
DEMO_PROJECT := $(DEMO_DIR)/saint-exemple.besace

.PHONY: venv qt-deps run screenshots test lint unit bench catalog clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: qt-deps $(STAMP)

# What Qt (PySide6 wheels) needs from Debian to run offscreen (tests) and under Xvfb: found
# with ldd on the xcb and offscreen platform plugins, then checked with QT_QPA_PLATFORM=xcb
# under xvfb-run. Installed only as root on Debian, and only the missing ones.
QT_DEBS := xvfb xauth fonts-dejavu-core libegl1 libgl1 libglib2.0-0 libfontconfig1 \
	libfreetype6 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1 libxcb1 \
	libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 \
	libxcb-xfixes0 libxcb-xkb1

qt-deps:
	@if [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then \
		missing=""; \
		for p in $(QT_DEBS); do \
			dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed' \
				|| missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			echo "== Paquets Debian nécessaires à Qt :$$missing =="; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y --no-install-recommends $$missing </dev/null \
			|| { apt-get update </dev/null \
				&& apt-get install -y --no-install-recommends $$missing </dev/null; }; \
		fi; \
	fi

SHARED_SEDA := ../shared/seda

# The demo mission prepared on the command line (share, scan, inventory, a package), then
# the window opened on it. Without a display, say how to run it under Xvfb.
run: venv
	@test -d "$(DEMO_SHARE)" || $(BIN)/besace demo "$(DEMO_SHARE)"
	@test -f "$(DEMO_PROJECT)" || $(BIN)/besace new "$(DEMO_PROJECT)" --name "Mairie de Saint-Exemple-sur-Loire" \
		--commune "Saint-Exemple-sur-Loire" --producer "Mairie de Saint-Exemple-sur-Loire" \
		--transferring-agency "Secrétariat de mairie" --archival-agency "Archives départementales"
	$(BIN)/besace scan "$(DEMO_PROJECT)" "$(DEMO_SHARE)"
	$(BIN)/besace stats "$(DEMO_PROJECT)"
	$(BIN)/besace inventory "$(DEMO_PROJECT)" --csv "$(DEMO_DIR)/inventaire.csv"
	@if [ -d "$(SHARED_SEDA)" ]; then $(BIN)/besace schemas install "$(SHARED_SEDA)"; fi
	$(BIN)/besace referential "$(DEMO_PROJECT)" load-default-schedule
	$(BIN)/besace classify "$(DEMO_PROJECT)" --rules app/demo/classement-demo.toml
	$(BIN)/besace retention "$(DEMO_PROJECT)"
	$(BIN)/besace describe "$(DEMO_PROJECT)" "Mairie de Saint-Exemple-sur-Loire/Finances/Budgets" \
		--set "Description=Budgets primitifs et comptes administratifs de la commune"
	$(BIN)/besace referential "$(DEMO_PROJECT)" map-rule FI-01 --appraisal APP-FIN --access ACC-00001
	$(BIN)/besace build "$(DEMO_PROJECT)" --out "$(DEMO_DIR)/paquets" --seda 2.2 --profile vitam \
		--series 2.1 --agreement IC-000001 --archival-agency FRAD045 \
		--transferring-agency FRAD045_MAIRIE --reproducible
	$(BIN)/besace audit "$(DEMO_PROJECT)" --xlsx "$(DEMO_DIR)/rapport-audit.xlsx"
	@echo "== Inventaire : $(DEMO_DIR)/inventaire.csv ; rapport d'audit : $(DEMO_DIR)/rapport-audit.xlsx ; paquets SEDA : $(DEMO_DIR)/paquets/ =="
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY$$QT_QPA_PLATFORM" ]; then \
		echo "== Pas d'écran (DISPLAY et WAYLAND_DISPLAY vides) : la fenêtre ne peut pas s'ouvrir ici."; \
		echo "   Sur un serveur, lancez-la dans un écran virtuel :"; \
		echo "     xvfb-run -a $(BIN)/besace-gui $(DEMO_PROJECT)"; \
		echo "   ou vérifiez seulement qu'elle démarre :"; \
		echo "     $(BIN)/besace-gui --smoke-test $(DEMO_PROJECT)"; \
	else \
		echo "== La fenêtre s'ouvre sur $(DEMO_PROJECT) =="; \
		$(BIN)/besace-gui "$(DEMO_PROJECT)"; \
	fi

# One PNG per page of the window, on a small demo mission (offscreen: no display needed).
screenshots: venv
	$(BIN)/python tools/screenshots.py --out docs/screenshots

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

# The laptop bundle without Python (installer/README.md): dist/besace/ and its tarballs.
.PHONY: bundle bundle-test
bundle: venv
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller installer/besace.spec
	$(BIN)/python installer/package_bundle.py dist/besace

# Runs the bundle from a clean environment, outside the repository (`make bundle` first).
bundle-test: venv
	$(BIN)/python installer/bundle_test.py dist/besace

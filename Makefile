# Loket: the two commands are `make run` and `make test`.
# Both install what a fresh Debian 12 machine lacks first.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
TARGET := $(or $(CARGO_TARGET_DIR),target)
# A clean CI clone builds once: incremental caches would only double the target's size
# on disk (a CI run once ran out of space with them).
ifeq ($(CI),true)
export CARGO_INCREMENTAL ?= 0
endif

.PHONY: run test deps ui lint bindings desktop bench sandbox soak package test-package

## Build and start the desktop app on the embedded sandbox.
run: deps ui
	$(CARGO) build --release -p loket-desktop
	$(TARGET)/release/loket-desktop

## Run the Bank+ sandbox alone in the foreground (port 7221 unless LOKET_SANDBOX_PORT).
sandbox: deps
	$(CARGO) build --release -p loket-cli
	$(TARGET)/release/loket sandbox --listen 127.0.0.1:$${LOKET_SANDBOX_PORT:-7221}

## Run every test: UI checks and unit tests, format, lints, then unit,
## integration and end-to-end tests (CLI and the desktop app under Xvfb).
test: deps ui lint desktop bindings
	cd ui && npm run --silent check && npm test --silent
	# Crash points exist only in debug builds: a release build must ignore them.
	$(CARGO) test --release --quiet -p failpoint
	./scripts/test.sh

deps:
	@./scripts/deps.sh

## The installable packages (issue 13): a .deb and an .rpm of the desktop app
## and the `loket` CLI, release build, signed for the in-app updater with the
## key in TAURI_SIGNING_PRIVATE_KEY (+ _PASSWORD) from the environment, never
## from the repository. Written to $(TARGET)/release/bundle/{deb,rpm}/ with
## their .sig files; latest.json is made from those (see the README).
package: deps ui
	@test -n "$$TAURI_SIGNING_PRIVATE_KEY" || { echo "make package: set TAURI_SIGNING_PRIVATE_KEY (the bank's update-signing key or its path) and TAURI_SIGNING_PRIVATE_KEY_PASSWORD"; exit 1; }
	$(CARGO) build --release -p loket-cli
	mkdir -p packaging/bin && ln -sfn $(abspath $(TARGET))/release/loket packaging/bin/loket
	cd src-tauri && CARGO_TARGET_DIR=$(abspath $(TARGET)) ../packaging/node_modules/.bin/tauri build --bundles deb rpm --ci
	@ls -l $(TARGET)/release/bundle/deb/*.deb* $(TARGET)/release/bundle/rpm/*.rpm*

## The installed package and the in-app update end to end (issue 13; root,
## like CI), alone: both also run in `make test`. The update test compiles
## the app's own crate once more as version N+1 (LOKET_BUILD_VERSION).
test-package: deps ui desktop
	$(CARGO) nextest run --workspace -E 'binary(desktop) & (test(/^package::/) | test(/^update::/))'

## The web UI, bundled into ui/dist (the desktop binary embeds it at compile time).
ui: deps
	cd ui && npm run --silent build

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

# Built with the same feature set as the test build that follows (`--workspace --tests`):
# `build -p loket-desktop` alone resolves features differently, and the whole GTK/Tauri
# stack (221 artifacts) was then compiled twice in every clean CI run.
desktop: ui
	$(CARGO) build --workspace --bins --tests

## The TypeScript bindings must match the Rust command types they are generated from.
bindings: desktop
	$(TARGET)/debug/loket-desktop --export-bindings $(TARGET)/bindings.ts
	diff -u ui/src/lib/bindings.ts $(TARGET)/bindings.ts || { echo "ui/src/lib/bindings.ts is stale: run $(TARGET)/debug/loket-desktop --export-bindings ui/src/lib/bindings.ts"; exit 1; }

## Benchmarks: sandbox throughput, client and core overhead over bare HTTP, history on
## 1,000,000 rows, receipts, reconciliation, statement fetch, desktop start-up and memory.
bench: deps ui
	$(CARGO) bench -p bankplus --bench loopback
	$(CARGO) bench -p teller --bench deposit
	$(CARGO) bench -p journal --bench history
	$(CARGO) bench -p backup --bench backup
	$(CARGO) bench -p receipt --bench render
	$(CARGO) bench -p reconcile --bench reconcile
	$(CARGO) bench -p mutasi --bench fetch
	# Fleet (issue 14): ship() ingest vs COPY on a private PostgreSQL, doubt/summary p95.
	$(CARGO) bench -p fleet --bench ingest
	$(CARGO) build --release -p loket-desktop -p loket-floor
	$(CARGO) bench -p loket-e2e --bench startup

## The counter-day simulator, long: SEEDS fresh random seeds (or SEED=n to replay one)
## of FLOWS flows each, in DAYS days, CHILDREN loket processes a day; prints flows, seeds,
## flows/s and duration, and stops at a failing seed with its replay command. Each
## finished seed is appended to SOAK_LOG, whose running total is printed (an interrupted
## soak still counts). A seed that fails joins the CI set in crates/cli/tests/simulator.rs.
SOAK_LOG ?= $(TARGET)/soak-log.tsv
SEEDS ?= 4
FLOWS ?= 25000
DAYS ?= 10
CHILDREN ?= 5
JOBS ?= 2
soak: deps
	$(CARGO) build --release -p loket-cli -p simulator
	$(TARGET)/release/loket-sim $(if $(SEED),--seed $(SEED),--seeds $(SEEDS)) --flows $(FLOWS) --days $(DAYS) --children $(CHILDREN) --jobs $(JOBS) --loket $(TARGET)/release/loket --log $(SOAK_LOG)

## Fuzzing (issue 12): every decoder of untrusted bytes fed mutated document
## samples, FUZZ_CASES in total (default 10,000,000), cases/s per target and
## any finding (inputs saved under target/fuzz-crashes/). `make test` runs a
## slice of it (crates/fuzz/tests/slice.rs).
FUZZ_CASES ?= 10000000
FUZZ_SEED ?= $(shell date +%s)
.PHONY: fuzz
fuzz: deps
	$(CARGO) build --release -p loket-fuzz
	$(TARGET)/release/loket-fuzz --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) --crashes $(TARGET)/fuzz-crashes

## Coverage-guided fuzzing of one target with AFL++ (needs `cargo install cargo-afl`);
## fuzz/ is outside the workspace. Seeds: that target's samples.
AFL_TARGET ?= bankplus.deposit
AFL_SECONDS ?= 600
.PHONY: afl
afl:
	cd fuzz && $(CARGO) afl build --release
	rm -rf $(TARGET)/afl-in && mkdir -p $(TARGET)/afl-in
	cp crates/bankplus/tests/fixtures/*.json $(TARGET)/afl-in/
	LOKET_AFL_TARGET=$(AFL_TARGET) AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	  $(CARGO) afl fuzz -V $(AFL_SECONDS) -i $(TARGET)/afl-in -o $(TARGET)/afl-out/$(AFL_TARGET) $(TARGET)/release/afl-target

## The fleet replica (issue 14) with FLEET_TERMINALS terminals (default 20),
## each a data directory with its own `loket fleet ship --follow` process,
## paying against the sandbox into a private PostgreSQL cluster.
FLEET_TERMINALS ?= 20
.PHONY: fleet-soak
fleet-soak: deps
	LOKET_FLEET_TERMINALS=$(FLEET_TERMINALS) $(CARGO) test -p loket-cli --test fleet -- --nocapture terminals_pay_while_shipping

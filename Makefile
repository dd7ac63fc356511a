# Loket: the two commands are `make run` and `make test`.
# Both install what a fresh Debian 12 machine lacks first.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run test deps lint bench sandbox

## Start Loket on the embedded sandbox (until the desktop app lands: the sandbox itself).
run: deps
	$(CARGO) build --release -p loket-cli
	./target/release/loket sandbox --listen 127.0.0.1:$${LOKET_SANDBOX_PORT:-7221}

## Run every test (format, lints, then unit, integration and end-to-end tests).
test: deps lint
	./scripts/test.sh

deps:
	@./scripts/deps.sh

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

## Benchmarks: sandbox throughput, client overhead over bare HTTP, history on 1,000,000 rows.
bench: deps
	$(CARGO) bench -p bankplus --bench loopback
	$(CARGO) bench -p teller --bench deposit
	$(CARGO) bench -p journal --bench history

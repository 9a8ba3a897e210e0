# The two entry points of the README. Both bootstrap first (idempotent), so a fresh Debian 12 machine
# with the Swift toolchain needs nothing else.
.PHONY: demo test build bench-http bench-sync bootstrap

bootstrap:
	scripts/bootstrap

build: bootstrap
	swift build --product pier

# `pier demo`: a temporary Pier (SQLite) with a simulated, synced Okta org on 127.0.0.1:8080.
demo: build
	scripts/demo

test: bootstrap
	scripts/test

bench-http: bootstrap
	swift build -c release --product pier
	PIER_BIN=$$(swift build -c release --show-bin-path)/pier bench/http/run

# Sync benchmarks of issues 5 and 7 (docs/SYNC.md "Benchmarks"): 100k users, SQLite and PostgreSQL, the
# Okta SDK reference, incremental and okta-default pacing. Several minutes; not part of `make test`.
bench-sync: bootstrap
	swift build -c release --product pier
	PIER_BIN=$$(swift build -c release --show-bin-path)/pier bench/sync/run

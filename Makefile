# Development tasks of the backupops.veeam_em collection.
#
#   make demo    run the demo playbook against the bundled EM emulator
#   make test    run every check below (what .ci/run runs); see CONTRIBUTING.md
#
# Everything runs from .venv, which `make venv` creates or refreshes from
# requirements.txt and tests/requirements-dev.txt (only python3 >= 3.11 and
# pip reaching the package index are needed).

SHELL := /bin/bash
.DEFAULT_GOAL := help
.SUFFIXES:

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
# the Python versions ansible-core 2.19 supports for modules; missing ones are skipped
PYTHONS := 3.8 3.9 3.10 3.11 3.12 3.13
# full sanity and the main unit test run use the controller's Python
SANITY_PYTHON := 3.11
# further unit test runs: the oldest module Python (it also gets the oldest
# requests release) and the other controller Pythons; 3.9 and 3.10
# are covered by sanity compile+import (each unit run costs about 20 s)
UNITS_PYTHONS := 3.8 3.12 3.13
EE_CONTEXT := build/ctx

# the order `make test` runs the checks in (all run, then a summary; exit 1 if any failed)
TEST_TARGETS := changelog-lint emulator-tests units property sanity lint e2e soak-quick docs galaxy-import ee \
	sanity-all-pythons units-pythons matrix bench-tests bench-quick

export PATH := $(BIN):$(PATH)
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1

.PHONY: help venv prereqs demo test bench bench-protection bench-estate soak load $(TEST_TARGETS) clean

help:
	@echo "make demo                 run playbooks/demo.yml against the bundled emulator"
	@echo "make test                 every check below, in order, with a summary"
	@echo "make venv                 create/refresh $(VENV) (the toolchain)"
	@echo "make prereqs              venv + missing system packages (chromium, shellcheck)"
	@echo "make emulator-tests       pytest tests/emulator/tests"
	@echo "make units                ansible-test units on Python $(SANITY_PYTHON)"
	@echo "make property             pytest tests/property -n 2: Hypothesis property tests (any name, any option value)"
	@echo "make units-pythons        ansible-test units on Python $(UNITS_PYTHONS) (those found)"
	@echo "make matrix               units + e2e smoke on every ansible-core the collection claims (2.16 - newest)"
	@echo "make sanity               ansible-test sanity (all tests) on Python $(SANITY_PYTHON)"
	@echo "make sanity-all-pythons   ansible-test sanity compile+import on the other Pythons found"
	@echo "make lint                 ansible-lint --profile production"
	@echo "make e2e                  pytest tests/e2e -n 2 (real ansible runs against the emulator)"
	@echo "make soak-quick           fault soak smoke runs: profiles mixed and idle, 5 runs each; EDA source 10 s; estate 2 runs (part of make test)"
	@echo "make soak                 full fault soak: 9 fault profiles, 30 runs per scenario; estate 10 runs (docs/reliability.md)"
	@echo "make eda-soak             EDA event source soak: 180 s of sessions ending under faults (docs/reliability.md)"
	@echo "make eda-venv             build/eda-venv: ansible-rulebook for the EDA e2e test (make e2e makes it too)"
	@echo "make load                 40 hosts x 20 forks against one emulator, clean and with mixed faults"
	@echo "make docs                 antsibull-docs lint + Sphinx site in build/docs/html"
	@echo "make changelog-lint       antsibull-changelog lint"
	@echo "make galaxy-import        build the tarball into build/ and run galaxy-importer on it"
	@echo "make ee                   ansible-builder create into $(EE_CONTEXT)"
	@echo "make bench-tests          pytest tests/bench (the benchmark's own machinery)"
	@echo "make bench-quick          benchmark smoke run: 1,000 sessions, 1 run (part of make test)"
	@echo "make bench                full benchmark: 1,000 / 10,000 / 50,000 sessions (BENCHMARKS.md)"
	@echo "make bench-protection     the RPO view of 10,000 VMs x 30 restore points, module and floor (BENCHMARKS.md)"
	@echo "make bench-estate         the estate report of 5 emulators x 1,000 jobs next to one EM's report (BENCHMARKS.md)"
	@echo "make clean                remove build/ (keeps $(VENV))"

venv:
	@scripts/venv.sh

prereqs: venv
	@scripts/system_deps.sh

demo:
	@scripts/demo.sh

test: prereqs
	@scripts/run_checks.sh $(TEST_TARGETS)

emulator-tests: venv
	$(PY) -m pytest tests/emulator/tests -q -n 2 -p no:cacheprovider

units: venv
	scripts/ansible_test.sh units --venv --python $(SANITY_PYTHON)

units-pythons: venv
	@scripts/ansible_test_pythons.sh units $(UNITS_PYTHONS)

matrix: venv
	$(PY) scripts/matrix.py

property: venv
	$(PY) -m pytest tests/property -q -n 2 -p no:cacheprovider

sanity: venv
	scripts/ansible_test.sh sanity --venv --python $(SANITY_PYTHON)

sanity-all-pythons: venv
	@scripts/ansible_test_pythons.sh sanity $(filter-out $(SANITY_PYTHON),$(PYTHONS))

lint: venv
	ansible-lint --profile production

e2e: venv
	$(PY) -m pytest tests/e2e -n 2 -q -p no:cacheprovider --durations=15

soak-quick: venv
	$(PY) -m pytest tests/soak -q -p no:cacheprovider
	$(PY) tests/soak/soak.py --quick --out build/soak-quick
	$(PY) tests/soak/eda_soak.py --quick --out build/eda-soak-quick
	$(PY) tests/soak/estate_soak.py --quick --out build/estate-soak-quick

eda-soak: venv
	$(PY) tests/soak/eda_soak.py --out build/eda-soak

eda-venv:
	@scripts/eda_venv.sh

soak: venv
	$(PY) tests/soak/soak.py --out build/soak
	$(PY) tests/soak/estate_soak.py --out build/estate-soak

load: venv
	$(PY) tests/soak/load.py --out build/load

docs: venv
	@scripts/docs.sh

changelog-lint: venv
	antsibull-changelog lint

galaxy-import: venv
	@scripts/galaxy_import.sh

ee: venv
	@scripts/ee.sh $(EE_CONTEXT)

bench-tests: venv
	$(PY) -m pytest tests/bench -q -p no:cacheprovider

bench-quick: venv
	$(PY) tests/bench/run_bench.py --quick

bench: venv
	$(PY) tests/bench/run_bench.py

bench-protection: venv
	$(PY) tests/bench/protection_bench.py

bench-estate: venv
	$(PY) tests/bench/estate_bench.py

clean:
	rm -rf build

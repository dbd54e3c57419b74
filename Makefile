# Margin Notes. `make site` builds site/, `make test` runs every test. Targets create .venv/ on
# first use and reinstall when requirements.txt or constraints.txt change.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := tests/widgets/node_modules/.installed
FILES ?=
PORT ?= 8000
# A content problem makes python -m scripts exit 1; make then stops with "Error 1" and, as GNU make
# always does when a recipe fails, exits 2. The line below says which kind of failure it was.
CONTENT_FAIL = { status=$$?; if [ $$status -eq 1 ]; then echo "make $@: stopped by the content problems above (exit 1); fix them and run it again" >&2; fi; exit $$status; }

export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test validate bench bench-full clean market new rule lint install

$(STAMP): requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

$(NODE_STAMP): tests/widgets/package.json tests/widgets/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix tests/widgets
	touch $(NODE_STAMP)

## install: the virtualenv (pinned Python packages) and the test-only Node packages
install: $(STAMP) $(NODE_STAMP)

## site: validate, verify and build site/ (site/ is replaced only when everything passed)
site: $(STAMP)
	@$(PY) -m scripts build || $(CONTENT_FAIL)

## serve: live preview on http://127.0.0.1:$(PORT) (default 8000), rebuilt when an entry changes
serve: $(STAMP)
	@$(PY) -m scripts serve --port $(PORT) || $(CONTENT_FAIL)

## validate: check all entries, or only FILES="content/entries/a.yaml ..."
validate: $(STAMP)
	@$(PY) -m scripts validate $(FILES) || $(CONTENT_FAIL)

## lint: ruff on every Python file (configured in pyproject.toml)
lint: $(STAMP)
	$(VENV)/bin/ruff check .

## new: write a draft entry, e.g. make new ID=what-is-adl TITLE="What is auto-deleveraging?"
new: $(STAMP)
	@test -n "$(ID)" || { echo 'make new: give the id, e.g. make new ID=what-is-adl TITLE="What is ADL?"' >&2; exit 2; }
	$(PY) -m scripts new '$(subst ','\'',$(ID))' $(if $(TITLE),--title '$(subst ','\'',$(value TITLE))',)

## rule: print one rule's scenario step by step, e.g. make rule RULE=withdrawal-blocked-while-negative [VENUE=...]
rule: $(STAMP)
	@test -n "$(RULE)" || { echo 'make rule: give the rule id, e.g. make rule RULE=withdrawal-blocked-while-negative' >&2; exit 2; }
	$(PY) -m scripts rule '$(subst ','\'',$(RULE))' $(if $(VENUE),--venue '$(subst ','\'',$(VENUE))',)

## test: the whole suite on two pytest-xdist workers, longest files first (tests/conftest.py); installs
## Chromium when missing; no tests collected is a failure
test: $(STAMP) $(NODE_STAMP)
	scripts/ensure_chromium.sh
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder tests; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests; that is a failure, not a pass" >&2; exit 1; fi; \
	exit $$status

## market: refresh content/market/snapshot.yaml from CoinGecko (left untouched on any failure)
market: $(STAMP)
	$(PY) -m scripts market

## bench: build benchmarks for 100 and 1,000 entries (BENCH_SIZES="100 1000 10000" for more)
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf site .build .site-* bench/out .cache

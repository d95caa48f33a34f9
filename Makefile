# `make demo` and `make test` each set up what they need (a .venv in this checkout) first.
VENV   := .venv
PY     := $(VENV)/bin/python
REPL   := $(VENV)/bin/repl
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help setup ssh-keygen chromium demo test synth lint bench clean
help:   ## list the targets
	@grep -E '^[a-z]+:.*##' Makefile | sed 's/:.*##/\t/'

setup: $(VENV)/.installed  ## create .venv and install the pinned requirements and `repl`

$(VENV)/.installed: requirements.txt pyproject.toml
	python3 -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt && $(PY) -m pip install -q --no-deps -e . && touch $@

demo: setup  ## start the embedded stack, run `echo hello world` on an emulated EC2 instance, list runs
	$(REPL) local up
	$(REPL) run --provider aws --spec "ubuntu:noble:amd64" --command "echo hello world" --max-duration 300000
	$(REPL) run list
	@echo "The embedded stack is still up (try: $(REPL) instance list --all). Stop it with: $(REPL) local down"

test: setup ssh-keygen chromium  ## the whole suite, offline: tests/e2e and the rest side by side (both mostly wait)
	$(PY) tests/run_suite.py

# `repl ssh` makes a key per run with OpenSSH's ssh-keygen, and its tests use the real one.
ssh-keygen:
	@command -v ssh-keygen >/dev/null 2>&1 || { echo "installing openssh-client (ssh-keygen)"; \
	  apt-get update -qq && apt-get install -y -qq openssh-client >/dev/null; }

# tests/e2e/test_dashboard.py drives `repl dashboard` in headless Chromium through chromedriver (selenium).
chromium:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { echo "installing chromium and chromium-driver"; \
	  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }

bench: setup  ## start phases, output speed, scale, AWS cost, on embedded stacks; writes bench/results/*.json
	cd bench && for b in start pools output scale cost; do ../$(PY) $$b.py || exit 1; done

synth: setup  ## synthesize the CDK app into cdk.out/ (no AWS credentials needed)
	$(PY) app.py

lint: synth  ## cfn-lint the synthesized template
	$(VENV)/bin/cfn-lint --ignore-checks W3005 -- cdk.out/SkyRepl.template.json

clean:  ## remove the venv and build output
	rm -rf $(VENV) cdk.out .pytest_cache

# The README's two commands: `make lecture` and `make test`. Each installs what is missing, then works.
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
QUALITY ?= h
APT_PACKAGES = libcairo2-dev libpango1.0-dev pkg-config ffmpeg texlive-latex-extra \
               texlive-fonts-recommended dvisvgm fonts-dejavu-core
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: setup system browser test test-largest lecture gallery bench clean

setup: system $(STAMP)

# System libraries for cairo/pango (manim), ffmpeg and a LaTeX with dvisvgm: installed only when missing.
system:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	  done; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else echo "Missing system packages:$$missing"; \
	       echo "Run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing"; exit 1; fi; \
	  echo "Installing system packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The virtualenv: torch first (CPU build), so the package's own install never pulls a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[test,keras,notebook]"
	touch $(STAMP)

# Debian's chromium, for the HTML slide-deck test: installed when missing; that test skips if it cannot be.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="no"; fi; \
	  if [ "$$SUDO" != no ] && command -v apt-get >/dev/null 2>&1; then \
	    ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	      --no-install-recommends chromium) || echo "chromium could not be installed: the HTML deck test will skip."; \
	  else echo "chromium is missing and cannot be installed here: the HTML deck test will skip."; fi; }

test: setup browser
	KERAS_BACKEND=torch $(BIN)/python -m pytest -q -n $(JOBS) --dist loadgroup

# Every scene's largest accepted case rendered for real at -q l (about 4 CPU-minutes more: not in `make test`).
test-largest: setup
	CONVVIZ_LARGEST=1 KERAS_BACKEND=torch $(BIN)/python -m pytest -q -n $(JOBS) --dist loadgroup tests/test_scene_largest.py

lecture: setup
	$(BIN)/convviz lecture -q $(QUALITY) --jobs $(JOBS) --out renders/lecture

gallery: setup
	$(BIN)/convviz gallery --jobs $(JOBS) --readme README.md

bench: setup
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) media .pytest_cache .hypothesis

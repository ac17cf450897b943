# Two commands set everything up on a fresh machine (Python 3.10+, no conda needed):
#   make book   — create .venv, install, execute every chapter, build the HTML
#   make test   — the same set-up, then the whole test suite (notebooks, build, browser)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HTML := _build/html/index.html

.PHONY: book test student serve setup clean clean-notebooks

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; `make` is idempotent and reuses the venv.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[book,test]"
	@touch $@

book: $(STAMP)
	BOOK_BUILD=1 $(BIN)/jupyter-book build . -W --keep-going
	@echo "The book is built. Open: file://$(CURDIR)/$(HTML)  (or run: make serve)"

# Executes every chapter with nbval (their outputs are cached so the strict book build that
# follows does not execute them again), builds the book, and runs the unit and browser tests.
# BOOK_BUILD=1: the chapters log one line per epoch instead of progress bars, as in the book.
test: $(STAMP)
	BOOK_BUILD=1 $(BIN)/python -m pytest book tests --nbval-lax -p no:cacheprovider $(PYTEST_ARGS)

# Student notebooks (solutions removed) for instructors who do not use nbgrader.
student: $(STAMP)
	$(BIN)/python -m helpers.assignments student book student
	@echo "Student notebooks are in $(CURDIR)/student/"

serve: $(HTML)
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

$(HTML):
	$(MAKE) book

clean:
	rm -rf _build student

# Strip outputs from the chapters before committing (cells marked keep_output stay).
clean-notebooks: $(STAMP)
	$(BIN)/python -m helpers.assignments strip book

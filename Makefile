# Two commands set everything up on a fresh machine (Python 3.10+, no conda needed):
#   make book   — create .venv, install, execute every chapter, build the HTML
#   make test   — the same set-up, then the whole test suite (notebooks, build, browser)
#   make check  — the unit tests and layout checks alone (no chapter, no build): ≤ 2 min
#   make pdf    — the built book as one PDF (needs Debian's chromium)
#   make reader — the chapters as reader notebooks (Colab, Jupyter) in _build/reader
#   make colab  — every chapter alone on Colab's package versions, full profile's sizes (smoke),
#                 every exercise left unanswered as in the student copies
#   make smoke  — every chapter with the full profile's sizes, 2 epochs of 2 updates (newest versions)
#   make bench  — the book's models against keras-io's at equal time (BENCH_ARGS="--budget 60")
#   make serve  — serve the built book on http://127.0.0.1:8000
#   make student — student notebooks (solutions removed) in student/
#   make clean-notebooks — strip the chapters' outputs before committing
#   make clean  — remove _build and student/
#   make backends — every chapter on Keras's JAX and PyTorch backends (venvs .venv-jax, .venv-torch)
#   make test-backend BACKEND=jax — the same for one backend
#   make build-backend BACKEND=jax — the strict build from that run's chapters
#   make full-gpu BACKEND=jax — every chapter in the full profile on a GPU, against its targets
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HTML := _build/html/index.html

.PHONY: book test check smoke bench pdf reader colab student serve setup clean clean-notebooks \
	backends test-backend build-backend full-gpu

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; `make` is idempotent and reuses the venv.
# (Not --no-compile: where PYTHONDONTWRITEBYTECODE is set, as on CI machines, every kernel
# would then compile TensorFlow's modules again at import, 6 to 10 s a chapter.)
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[tensorflow,book,test]"
	@touch $@

# Strict: a warning fails the build. A failed build leaves no pages behind to be mistaken for a
# book (and the Sphinx extension forgets its environment, so the next build reads every page).
book: $(STAMP)
	@BOOK_BUILD=1 $(BIN)/jupyter-book build . -W --keep-going || \
	  { rm -rf _build/html; echo "The build failed (see the warnings above); no pages were kept."; exit 1; }
	@echo "The book is built. Open: file://$(CURDIR)/$(HTML)  (or run: make serve)"

# Two pytest runs. The first executes every chapter with nbval and runs every test that needs
# no built book and no browser, $(JOBS) at a time (pytest-xdist; --dist loadscope keeps a
# chapter's cells, and a test module, on one worker): a chapter keeps about one core busy, so
# two side by side fill a 2-core machine. The executed chapters are cached, so the second run's
# strict book build does not execute them again (one worker builds, the other waits for it);
# it then runs the tests that read the built book or drive a browser, spread over the workers.
# Both runs always run; the target fails if either failed.
# BOOK_BUILD=1: the chapters log one line per epoch instead of progress bars, as in the book.
JOBS ?= 2
TEST_ENV := BOOK_BUILD=1 BOOK_UPDATES_LOG=$(CURDIR)/_build/updates-test.jsonl
test: $(STAMP)
	@mkdir -p _build && rm -f _build/updates-test.jsonl
	@status=0; \
	$(TEST_ENV) $(BIN)/python -m pytest book tests --nbval-lax -p no:cacheprovider -n $(JOBS) \
	  --dist loadscope -m "not colab and not built_book and not browser" $(PYTEST_ARGS) || status=$$?; \
	$(TEST_ENV) $(BIN)/python -m pytest tests -p no:cacheprovider -n $(JOBS) --dist loadgroup \
	  -m "(built_book or browser) and not colab" $(PYTEST_ARGS) || status=$$?; \
	exit $$status

# The fast path while editing helpers/ or tests/: everything that needs no executed chapter, no
# built book, no browser, no Colab venv and nothing slow (markers: pyproject.toml, conftest.py).
FAST := not notebook and not build and not browser and not slow and not colab
check: $(STAMP)
	$(BIN)/python -m pytest tests -m "$(FAST)" -p no:cacheprovider -q -n $(JOBS) $(PYTEST_ARGS)

# The full profile's data, sizes and shapes, at most 2 epochs of 2 updates: finds what would break on a
# GPU in a few minutes on a CPU. Lessons are reported, not checked (helpers.profiles.smoke).
smoke: $(STAMP)
	@mkdir -p _build && rm -f _build/updates-full.jsonl
	BOOK_PROFILE=full BOOK_SMOKE=1 BOOK_BUILD=1 BOOK_UPDATES_LOG=$(CURDIR)/_build/updates-full.jsonl \
	  $(BIN)/python -m pytest book --nbval-lax -p no:cacheprovider --durations=0 --durations-min=20
	@$(BIN)/python -m bookkit.teach.timings

# Not a test: trains the book's models and keras-io's reference models for the same
# wall-clock time on the same data and prints a table (tests/benchmarks/bench_reference.py).
bench: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_reference.py --throughput $(BENCH_ARGS)

# The reader notebooks (what Colab and the download button get) without building the book.
reader: $(STAMP)
	$(BIN)/python -m bookkit.publish.reader book _build/reader/book

# Every chapter's reader notebook alone in an empty folder, run on Colab's package versions
# (tests/colab/colab-packages.txt; the venv is cached in ~/.cache/autoencoders-hands-on/colab-venv
# for every clone, $BOOK_COLAB_VENVS moves it; its first run downloads TensorFlow, about 600 MB),
# in a smoke run of the full profile: one execution of
# each chapter checks Colab's versions and the full profile's data, sizes and shapes (what
# `make smoke` checks on the newest versions), then prints the chapters' timing table.
# Every exercise is left unanswered, as in `make student`'s copies: each solution still runs,
# then its stub is put in force, so every later cell must run without the answer
# (bookkit/teach/unanswered.py; why here and not a run of its own: tests/test_student_copies.py).
# The chapters run $(JOBS) at a time (--dist load), longest first, each worker in its own
# hard-linked copy of the venv, which is made first, once.
colab: $(STAMP)
	@mkdir -p _build && rm -f _build/updates-full.jsonl
	$(BIN)/python tests/test_colab.py
	BOOK_PROFILE=full BOOK_SMOKE=1 BOOK_BUILD=1 BOOK_UPDATES_LOG=$(CURDIR)/_build/updates-full.jsonl \
	  $(BIN)/python -m pytest tests/test_colab.py -m colab -p no:cacheprovider -n $(JOBS) --dist load \
	  $(PYTEST_ARGS)
	@$(BIN)/python -m bookkit.teach.timings

# The whole book as one PDF: Chromium prints each built page in reading order (bookkit/publish/pdf.py).
pdf: $(HTML)
	$(BIN)/python -m bookkit.publish.pdf _build/html _build/pdf/autoencoders-hands-on.pdf
	@echo "The PDF is _build/pdf/autoencoders-hands-on.pdf"

# Student notebooks (solutions removed) for instructors who do not use nbgrader.
student: $(STAMP)
	$(BIN)/python -m bookkit.teach student book student
	@echo "Student notebooks are in $(CURDIR)/student/"

serve: $(HTML)
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

$(HTML):
	$(MAKE) book

clean:
	rm -rf _build student

# Strip outputs from the chapters before committing (cells marked keep_output stay).
clean-notebooks: $(STAMP)
	$(BIN)/python -m bookkit.teach strip book

# The other Keras backends. Each has its own venv (.venv-jax, .venv-torch) installed from the
# project's extras, without TensorFlow; every chapter runs in the ci profile (BOOK_PROFILE
# overrides), one at a time, with every hidden lesson assert checked and any stderr output
# counted as a failure (as the strict build does). Per-chapter seconds and the glued numbers
# go to _build/backends/<backend>/ (bookkit/run_chapters.py).
BACKEND ?= jax
BACKENDS := jax torch
# PyPI's Linux torch is the CUDA build; the CPU build comes from PyTorch's own index.
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
NICE ?= nice -n 10

.venv-%/.installed: pyproject.toml
	@test -x .venv-$*/bin/python || $(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --upgrade pip
	$(if $(filter torch,$*),.venv-$*/bin/python -m pip install --quiet "torch>=2.13" --index-url $(TORCH_CPU_INDEX))
	.venv-$*/bin/python -m pip install --quiet -e ".[$*,test]"
	@touch $@

test-backend: .venv-$(BACKEND)/.installed
	KERAS_BACKEND=$(BACKEND) BOOK_PROFILE=$${BOOK_PROFILE:-ci} BOOK_BUILD=1 \
	  $(NICE) .venv-$(BACKEND)/bin/python -m bookkit.run_chapters \
	  --out _build/backends/$(BACKEND) $(CHAPTERS)

backends:
	@began=$$(date +%s); \
	for backend in $(BACKENDS); do $(MAKE) --no-print-directory test-backend BACKEND=$$backend || exit 1; done; \
	.venv-jax/bin/python -m bookkit.run_chapters --compare \
	  $(foreach b,$(BACKENDS),_build/backends/$(b)/results.json); \
	echo "make backends took $$(( $$(date +%s) - began )) s"

# The strict build (-W) on a backend, into _build/backends/<backend>/book, from the chapters
# `make test-backend` executed there (cached under the build's execution key); a chapter not
# passed there, or changed since, is executed again by the build.
build-backend: .venv-$(BACKEND)/.installed
	KERAS_BACKEND=$(BACKEND) BOOK_PROFILE=$${BOOK_PROFILE:-ci} BOOK_BUILD=1 \
	  .venv-$(BACKEND)/bin/python -m bookkit.run_chapters \
	  --cache-for-build _build/backends/$(BACKEND) --build-dir _build/backends/$(BACKEND)/book/_build
	@KERAS_BACKEND=$(BACKEND) BOOK_PROFILE=$${BOOK_PROFILE:-ci} BOOK_BUILD=1 \
	  $(NICE) .venv-$(BACKEND)/bin/jupyter-book build . -W --keep-going \
	  --path-output _build/backends/$(BACKEND)/book || \
	  { rm -rf _build/backends/$(BACKEND)/book/_build/html; \
	    echo "The build failed on $(BACKEND); no pages were kept."; exit 1; }
	@echo "Built on $(BACKEND): _build/backends/$(BACKEND)/book/_build/html/index.html"

# On a GPU machine: every chapter in the full profile on JAX or PyTorch, with per-chapter
# minutes and the full-profile numbers against the chapters' targets. BACKEND=torch for PyTorch
# (give TORCH_CPU_INDEX a CUDA index, e.g. https://download.pytorch.org/whl/cu126, or install
# torch into .venv-torch first); for JAX, install "jax[cuda12]" into .venv-jax first.
full-gpu: .venv-$(BACKEND)/.installed
	KERAS_BACKEND=$(BACKEND) BOOK_PROFILE=full BOOK_BUILD=1 \
	  .venv-$(BACKEND)/bin/python -m bookkit.run_chapters --targets \
	  --out _build/full-gpu/$(BACKEND) $(CHAPTERS)

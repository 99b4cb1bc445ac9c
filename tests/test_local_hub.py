"""The local Hub: the real loaders read real Hub ids from a directory served on 127.0.0.1.

The loaders run in one child process (paying the imports once): huggingface_hub and datasets read
``HF_ENDPOINT`` when they are imported, which this process did long before the server started.
The HTTP-level checks run here, with urllib.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from transformers import Qwen2Config, Qwen2ForCausalLM

from s1kit.rehearsal.hub import add_dataset, add_model, client_env, repo_ids, serve

REPO = Path(__file__).resolve().parent.parent
MODEL = "Qwen/Qwen2.5-32B-Instruct"
MATH = {"problem": ["What is $1+1$?", "What is $2+3$?"], "answer": ["2", "5"], "level": [1, 2]}
DIAMOND = [{"Question": "Which bond is strongest?", "Correct Answer": "N2"}]
MAIN = [{"Question": "q", "Correct Answer": "a"}, {"Question": "r", "Correct Answer": "b"}]

CLIENT = r"""
import json, os, sys
MODEL = sys.argv[1]
results = {}
def check(name, fn):
    try:
        results[name] = fn()
    except Exception as e:
        results[name] = {"error": type(e).__name__, "message": str(e)}

import huggingface_hub.constants as constants
results["endpoint"], results["offline"] = constants.ENDPOINT, constants.HF_HUB_OFFLINE

import datasets
check("math", lambda: datasets.load_dataset("HuggingFaceH4/MATH-500", split="test").to_dict())
check("diamond", lambda: datasets.load_dataset("Idavidrein/gpqa", "gpqa_diamond", split="train").to_list())
check("missing_dataset", lambda: datasets.load_dataset("nobody/missing-dataset", split="train"))

from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
def model():
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    model = AutoModelForCausalLM.from_pretrained(MODEL)
    return {"ids": tokenizer("Wait, 12 + 3")["input_ids"], "hidden": AutoConfig.from_pretrained(MODEL).hidden_size,
            "params": sum(p.numel() for p in model.parameters())}
check("model", model)
check("missing_model", lambda: AutoTokenizer.from_pretrained("nobody/missing-model"))

from huggingface_hub import snapshot_download
check("snapshot", lambda: sorted(os.listdir(snapshot_download(MODEL))))
print(json.dumps(results, default=str))
"""


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tokenizer):
    """A saved tiny Qwen2 (about 15K parameters) with the tiny tokenizer."""
    path = tmp_path_factory.mktemp("tiny-qwen")
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         num_key_value_heads=1, intermediate_size=32)
    Qwen2ForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def hub_root(tmp_path_factory, model_dir):
    root = tmp_path_factory.mktemp("hub")
    add_dataset(root, "HuggingFaceH4/MATH-500", {"test": MATH})
    add_dataset(root, "Idavidrein/gpqa", {"train": DIAMOND}, config="gpqa_diamond")
    add_dataset(root, "Idavidrein/gpqa", {"train": MAIN}, config="gpqa_main")
    add_model(root, MODEL, model_dir)
    return root


@pytest.fixture(scope="module")
def hub(hub_root):
    with serve(hub_root) as url:
        yield url


@pytest.fixture(scope="module")
def loaded(hub, tmp_path_factory):
    """What the real loaders got, run in a child process with a fresh HF_HOME."""
    env = client_env(hub, hf_home=tmp_path_factory.mktemp("hf-home"))
    done = subprocess.run([sys.executable, "-c", CLIENT, MODEL], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _request(url: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) of one request, error statuses included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers or {})) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_child_reads_from_the_local_hub_online(loaded, hub):
    assert loaded["endpoint"] == hub
    assert loaded["offline"] is False


def test_load_dataset_by_hub_id_gives_the_written_rows(loaded):
    assert loaded["math"] == MATH


def test_load_dataset_with_a_config_name_gives_that_configs_rows(loaded):
    assert loaded["diamond"] == DIAMOND


def test_a_dataset_not_on_the_local_hub_fails_naming_it(loaded):
    assert loaded["missing_dataset"]["error"] == "DatasetNotFoundError"
    assert "nobody/missing-dataset" in loaded["missing_dataset"]["message"]


def test_from_pretrained_by_hub_id_loads_the_tiny_model(loaded, tokenizer, model_dir):
    assert loaded["model"]["ids"] == tokenizer("Wait, 12 + 3")["input_ids"]
    assert loaded["model"]["hidden"] == 16
    saved = Qwen2ForCausalLM.from_pretrained(model_dir)
    assert loaded["model"]["params"] == sum(p.numel() for p in saved.parameters())


def test_a_model_not_on_the_local_hub_fails_naming_it(loaded):
    assert loaded["missing_model"]["error"] == "OSError"
    assert "nobody/missing-model" in loaded["missing_model"]["message"]


def test_snapshot_download_fetches_every_file(loaded, model_dir):
    assert loaded["snapshot"] == sorted(p.name for p in model_dir.iterdir())


def test_missing_repo_revision_and_file_answer_the_hubs_404s(hub):
    status, headers, _ = _request(f"{hub}/nobody/nothing/resolve/main/config.json", "HEAD")
    assert (status, headers["X-Error-Code"]) == (404, "RepoNotFound")
    status, headers, _ = _request(f"{hub}/api/models/{MODEL}/revision/v0.1")
    assert (status, headers["X-Error-Code"]) == (404, "RevisionNotFound")
    status, headers, _ = _request(f"{hub}/datasets/Idavidrein/gpqa/resolve/main/gpqa.py", "HEAD")
    assert (status, headers["X-Error-Code"]) == (404, "EntryNotFound")
    assert len(headers["X-Repo-Commit"]) == 40  # lets huggingface_hub cache the file's absence


def test_files_carry_the_commit_and_answer_byte_ranges(hub, hub_root):
    readme = (hub_root / "datasets/Idavidrein/gpqa/README.md").read_bytes()
    url = f"{hub}/datasets/Idavidrein/gpqa/resolve/main/README.md"
    status, headers, body = _request(url)
    _, _, info = _request(f"{hub}/api/datasets/Idavidrein/gpqa/revision/main")
    assert (status, body, headers["X-Repo-Commit"]) == (200, readme, json.loads(info)["sha"])
    status, headers, body = _request(url, headers={"Range": "bytes=4-9"})
    assert (status, body, headers["Content-Range"]) == (206, readme[4:10], f"bytes 4-9/{len(readme)}")


def test_a_repos_sha_is_stable_and_follows_its_contents(tmp_path):
    def sha(url):
        return json.loads(_request(f"{url}/api/datasets/org/data")[2])["sha"]

    add_dataset(tmp_path, "org/data", {"train": {"x": [1, 2]}})
    with serve(tmp_path) as url:
        first = sha(url)
        assert sha(url) == first
        add_dataset(tmp_path, "org/data", {"train": {"x": [1, 3]}})
        assert sha(url) != first


def test_configs_accumulate_in_the_readme_and_repos_are_listed(hub_root):
    readme = (hub_root / "datasets/Idavidrein/gpqa/README.md").read_text()
    assert "config_name: gpqa_diamond" in readme and "config_name: gpqa_main" in readme
    assert "path: gpqa_main/train-*" in readme
    assert repo_ids(hub_root) == {"models": [MODEL], "datasets": ["HuggingFaceH4/MATH-500", "Idavidrein/gpqa"]}


def test_the_command_line_serves_in_the_foreground_and_prints_the_url(hub_root):
    server = subprocess.Popen([sys.executable, "-m", "s1kit.rehearsal.hub", "--root", str(hub_root), "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO)
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        status, _, body = _request(f"{url}/api/models/{MODEL}")
        assert status == 200 and json.loads(body)["id"] == MODEL
    finally:
        server.terminate()
        server.wait(timeout=10)

"""The rehearsal's pieces: Qwen's real tokenizer, the overlay that changes only sizes and hardware, the
local Hub's catalog (and the error naming what it lacks), and the stand-ins' fast, exact training."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from transformers import AutoTokenizer

from s1kit.chat import ChatFormat
from s1kit.config import load_profile
from s1kit.rehearsal.catalog import MODELS, RehearsalError, check_catalog, hub_ids
from s1kit.rehearsal.fixtures import datasets
from s1kit.rehearsal.overlay import load_overlay, method_changes, rehearsal_profile
from s1kit.rehearsal.standins import StandInShape, build_standin, qwen_tokenizer, train_standin
from s1kit.tokenizer import check_chat_tokenizer

GPU_RECIPES = ("qwen-1gpu", "s1-32b", "eval", "s1-open")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def qwen(tmp_path_factory):
    root = tmp_path_factory.mktemp("qwen")
    return {flavour: qwen_tokenizer(flavour, root / flavour) for flavour in ("qwen2.5", "qwen3")}


def test_the_stand_ins_tokenizers_are_qwens(qwen, tmp_path):
    q25, q3 = qwen["qwen2.5"], qwen["qwen3"]
    assert len(q25) == 151665 and len(q3) == 151669  # Qwen2.5's 151,643 BPE tokens + 22 added; Qwen3: 4 more
    for tokenizer in (q25, q3):  # known encodings of Qwen's byte-level BPE
        assert tokenizer.encode("Hello world") == [9707, 1879]
        assert tokenizer.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>"]) == [151643, 151644, 151645]
        assert tokenizer.decode(tokenizer.encode(" 12345 Wait,")) == " 12345 Wait,"
        check_chat_tokenizer(tokenizer)
    assert q3.convert_tokens_to_ids("</think>") == 151668 and "</think>" not in q25.get_vocab()
    assert ChatFormat.from_tokenizer(q25).prompt_prefix.startswith(
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>")
    # saved and reloaded with AutoTokenizer (as every stage loads it): nothing changes
    q25.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    text = "<|im_start|>user\nWhat is $\\frac{1}{2}$?<|im_end|>\n<|im_start|>assistant\n<|im_start|>think\nWait"
    assert again.encode(text) == q25.encode(text) and len(again) == len(q25)
    assert again.chat_template == q25.chat_template and again.eos_token == q25.eos_token == "<|im_end|>"


@pytest.mark.parametrize("recipe", GPU_RECIPES)
def test_the_overlay_changes_sizes_and_hardware_not_the_method(recipe):
    original, rehearsal = load_profile(recipe), rehearsal_profile(recipe)
    assert method_changes(original, rehearsal) == {}
    assert rehearsal.name == f"rehearsal/{recipe}" and rehearsal.rehearsal
    divisor = load_overlay().cap_divisor
    assert rehearsal.evaluation.caps == [c // divisor for c in original.evaluation.caps]
    assert rehearsal.evaluation.num_ignores == original.evaluation.num_ignores
    assert rehearsal.evaluation.extrapolation_strings == original.evaluation.extrapolation_strings
    assert rehearsal.sourcing.hub.benchmarks == original.sourcing.hub.benchmarks
    assert rehearsal.sft.train.learning_rate == original.sft.train.learning_rate
    assert rehearsal.launch.processes == min(original.launch.processes, 2)
    assert rehearsal.evaluation.engine == "vllm" and rehearsal.evaluation.vllm_kwargs["tensor_parallel_size"] == 1
    assert rehearsal.evaluation.vllm_kwargs.get("dtype") == original.evaluation.vllm_kwargs.get("dtype")
    if original.launch.config_file:
        assert rehearsal.launch.config_file.startswith("rehearsal-cpu")
        assert yaml.safe_load(rehearsal.launch.config_path().read_text())["use_cpu"] is True
    check_catalog(rehearsal)  # the local Hub holds every id the recipe names


def test_the_local_hub_holds_every_id_of_the_gpu_recipes():
    named = {kind: set() for kind in ("datasets", "models")}
    for recipe in GPU_RECIPES:
        for kind, ids in hub_ids(rehearsal_profile(recipe)).items():
            named[kind] |= set(ids)
    assert named["datasets"] <= set(datasets()) and named["models"] <= set(MODELS)
    assert "Qwen/Qwen3-32B" in named["models"]  # s1-open's teacher, served by vLLM


def _recipe_with(tmp_path: Path, recipe: str, **changes) -> Path:
    data = yaml.safe_load((REPO / "s1kit" / "recipes" / f"{recipe}.yaml").read_text())
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        node = data
        for key in parents:
            node = node[key]
        node[leaf] = value
    path = tmp_path / f"{recipe}-edited.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_recipe_naming_what_the_local_hub_lacks_is_refused_naming_it(tmp_path):
    dataset = _recipe_with(tmp_path, "qwen-1gpu", sourcing__hub__selection_dataset="someone/s1K-2.0")
    with pytest.raises(RehearsalError, match=r"sourcing.hub.selection_dataset names dataset 'someone/s1K-2.0'"):
        check_catalog(rehearsal_profile(str(dataset)))
    model = _recipe_with(tmp_path, "eval", sft__path="someone/s2-70B")
    with pytest.raises(RehearsalError, match=r"sft.path names model 'someone/s2-70B'"):
        check_catalog(rehearsal_profile(str(model)))
    # the command refuses it before any work: no run directory, no local Hub built
    runs = tmp_path / "runs"
    done = subprocess.run([sys.executable, "-m", "s1kit.rehearsal", "--profile", str(model), "--runs", str(runs)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "sft.path names model 'someone/s2-70B'" in done.stderr
    assert not runs.exists()


def test_the_local_s1k_tokenized_is_what_s1s_tokenization_writes_from_the_local_s1k(qwen):
    """Its `text`: s1's data/tokenization.py on each s1K row, through the stand-in tokenizer's Qwen2.5 template."""
    from s1kit.training import text_examples

    s1k = datasets()["simplescaling/s1K"][None]["train"]
    tokenized = datasets()["simplescaling/s1K_tokenized"][None]["train"]
    assert len(tokenized["text"]) == len(s1k["question"]) and tokenized["question"] == s1k["question"]
    for question, trajectories, attempt, text in zip(s1k["question"], s1k["thinking_trajectories"], s1k["attempt"],
                                                     tokenized["text"], strict=True):
        answer = "Answer: " + attempt if "Answer:" not in attempt else attempt  # tokenization.py, line for line
        content = "<|im_start|>think\n" + "\n".join(trajectories).strip() + "\n<|im_start|>answer\n" + answer.strip()
        assert text == qwen["qwen2.5"].apply_chat_template(
            [{"role": "user", "content": question}, {"role": "assistant", "content": content}], tokenize=False)
    chat = ChatFormat.from_tokenizer(qwen["qwen2.5"])
    for example, question in zip(text_examples(tokenized["text"]), s1k["question"], strict=True):
        assert example.prompt == chat.user_prompt(question) and example.completion.startswith("<|im_start|>think\n")
        assert example.completion.endswith("<|im_end|>\n")


def test_a_recipe_training_on_s1k_tokenized_passes_the_catalog(tmp_path):
    recipe = _recipe_with(tmp_path, "qwen-1gpu", sft__text_dataset="simplescaling/s1K_tokenized")
    profile = rehearsal_profile(str(recipe))
    assert hub_ids(profile)["datasets"]["simplescaling/s1K_tokenized"] == "sft.text_dataset"
    check_catalog(profile)
    missing = _recipe_with(tmp_path, "qwen-1gpu", sft__text_dataset="someone/s1K-2.0_tokenized")
    with pytest.raises(RehearsalError, match=r"sft.text_dataset names dataset 'someone/s1K-2.0_tokenized'"):
        check_catalog(rehearsal_profile(str(missing)))


def test_a_stand_in_learns_its_rows_through_an_exact_softmax_over_qwens_vocabulary(qwen):
    tokenizer = qwen["qwen2.5"]
    chat = ChatFormat.from_tokenizer(tokenizer)
    texts = [(chat.user_prompt(f"What is {a} + {a}?"), f"The answer is \\boxed{{{2 * a}}}.<|im_end|>") for a in range(6)]
    shape = StandInShape(hidden_size=32, intermediate_size=64, num_attention_heads=2, num_key_value_heads=1,
                         max_position_embeddings=128, train_steps=60, learning_rate=1e-2, batch_size=6)
    model = build_standin(tokenizer, shape, seed=0)
    report = train_standin(model, tokenizer, texts, shape, seed=0, extra_tokens=["Wait"])
    assert report["last_loss"] < report["first_loss"] / 4
    embedding = model.get_input_embeddings().weight
    used = embedding.abs().sum(1) > 0
    assert int(used.sum()) == report["trained_vocabulary"] < 200  # every other row of 151,936 is zero
    # the exact loss of the full model equals the one trained through the used rows only
    ids = tokenizer.encode(texts[0][0] + texts[0][1], add_special_tokens=False)
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0]
    assert logits.shape[-1] == 151936 and float(logits[:, ~used].abs().max()) == 0.0

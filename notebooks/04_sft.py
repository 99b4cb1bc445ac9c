# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. Supervised fine-tuning on s1K
#
# **Paper, Section 4.1 and Appendix D.** Qwen2.5-32B-Instruct is fine-tuned on the 1,000 s1K
# examples for 5 epochs (batch 16, learning rate 1e-5, cosine decay, 5% warmup), 26 minutes on
# 16 H100s. The loss covers only the reasoning trace and the answer, not the question.
#
# **This chapter** runs the same step with trl's `SFTTrainer` ({py:func}`s1kit.training.train_sft`,
# {py:func}`s1kit.pipeline.sft`). Each example is the chat prompt and an assistant turn
# `<|im_start|>think ... <|im_start|>answer Final Answer: ...`. The loss mask is built in
# {py:func}`s1kit.training.tokenize_example`.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %%
from s1kit import paper
from s1kit.chat import ChatFormat
from s1kit.report import training as training_report
from s1kit.tokenizer import load_tokenizer
from s1kit.training import sft_examples, tokenize_example

s1k = pipeline.selection(run)["s1k"]
example = sft_examples(s1k[:1], ChatFormat())[0]
tokenizer = load_tokenizer(pipeline.base_model(run)["path"]) if run.profile.base_model.kind == "train_tiny" else None
if tokenizer is not None:
    row = tokenize_example(tokenizer, example, 4096)
    # Tokens that carry loss are printed as they are; each token with no loss (the question,
    # and any forced span: none in the main world, whose "Wait"s are trained on) is printed as a dot.
    shown = "".join(tokenizer.decode([i]) if m else "·" for i, m in zip(row["input_ids"], row["completion_mask"], strict=True))
    print(shown)

# %% tags=["paper-scale"]
# The first s1K example as the fine-tune tokenizes it: the base model's own chat template and tokenizer.
if run.profile.sft.kind == "pretrained":
    print(f"(this run fine-tunes nothing: {run.profile.sft.path} was trained elsewhere; `sft.kind: train` would see this)")
tokenizer = load_tokenizer(pipeline.base_model(run)["path"])
example = sft_examples(s1k[:1], ChatFormat.from_tokenizer(tokenizer), run.profile.sft.answer_prefix)[0]
row = tokenize_example(tokenizer, example, run.profile.sft.train.max_length, "truncate")
ids, mask = row["input_ids"], row["completion_mask"]
first = mask.index(1)
print(f"{len(ids):,} tokens (at most sft.train.max_length = {run.profile.sft.train.max_length:,}): {first:,} of prompt "
      f"with no loss, {sum(mask):,} trained on")
print("end of the prompt (no loss):", repr(tokenizer.decode(ids[max(0, first - 24):first])))
print("start of the completion (loss):", repr(tokenizer.decode(ids[first:first + 40])))
print("end of the completion (loss):", repr(tokenizer.decode(ids[-40:])))

# %% tags=["tiny-world"]
result = pipeline.sft(run)
report = result["report"]
glue("sft_steps", book.plain(report["steps"]), display=False)
glue("sft_epochs", book.plain(training_report.epochs(report)), display=False)
glue("sft_minutes", book.plain(round(report["wall_s"] / 60, 1)), display=False)
glue("sft_tokens_per_s", book.plain(round(report["tokens_per_s"])), display=False)
glue("paper_recipe", f"{paper.SFT_RECIPE['epochs']} epochs, {paper.SFT_RECIPE['minutes']} minutes on "
     f"{paper.SFT_RECIPE['gpus']}s", display=False)
fig = training_report.loss_figure({"SFT on s1K": report})
book.glue_figure("fig_sft_loss", fig)
{k: report[k] for k in ("examples", "steps", "train_tokens", "wall_s", "tokens_per_s")}

# %% tags=["paper-scale"]
from s1kit.report.figures import empty_figure

result = pipeline.sft(run)
report = result["report"]
glue("paper_recipe", f"{paper.SFT_RECIPE['epochs']} epochs, {paper.SFT_RECIPE['minutes']} minutes on "
     f"{paper.SFT_RECIPE['gpus']}s", display=False)
if report is None:  # sft.kind: pretrained, a released fine-tuned checkpoint
    glue("sft_line", f"nothing was trained here: the fine-tuned model is the released checkpoint "
         f"{result['path']}, used as it is", display=False)
    fig = empty_figure(f"no training in this run: {result['path']} is a released checkpoint")
    print(f"The fine-tuned model is a released checkpoint, {result['path']}: nothing was trained here.")
else:
    glue("sft_line", f"{report['steps']} steps, about {training_report.epochs(report):.1f} epochs over s1K, in "
         f"{report['wall_s'] / 60:.1f} minutes at {report['tokens_per_s']:,.0f} tokens/s on this machine; the "
         f"fine-tuned model is saved in Hugging Face format in runs/<profile>/models/sft/", display=False)
    fig = training_report.loss_figure({"SFT on s1K": report})
    print({k: report[k] for k in ("examples", "steps", "train_tokens", "wall_s", "tokens_per_s")})
book.glue_figure("fig_sft_loss", fig)

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_sft_loss
# :alt: Line chart: the SFT training loss over the training steps, or a note that this run trained nothing.
# Training loss of SFT on s1K (completion tokens only), when this run fine-tunes.
# ```
#
# ## Summary
# - This run: {glue:text}`sft_line`.
# - The paper's recipe for comparison ({py:mod}`s1kit.paper`, Section 4.1): {glue:text}`paper_recipe`.
#
# ## Exercises
# This chapter's exercises are about the tiny model's training schedule; they are not shown at this scale.

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_sft_loss
# :alt: Line chart: the SFT training loss falling over the training steps.
# Training loss of SFT on s1K (completion tokens only).
# ```
#
# ## Summary
# - {glue:text}`sft_steps` steps, about {glue:text}`sft_epochs` epochs over s1K, in
#   {glue:text}`sft_minutes` minutes at {glue:text}`sft_tokens_per_s` tokens/s on this machine. The
#   paper's recipe for comparison ({py:mod}`s1kit.paper`, Section 4.1): {glue:text}`paper_recipe`.
#   The tiny model trains at the paper's batch size, 16, for fewer epochs than the paper's 5, so
#   that the whole study fits in 15 minutes on a laptop; `s1kit/recipes/tiny.yaml` records what a
#   longer run did to the model.
# - The fine-tuned model is saved in Hugging Face format in `runs/<profile>/models/sft/`.

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers(training_report.exercise_numbers(report), digits=3)

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `sft.train.max_steps`.** Set it to the paper's 5 epochs. How many steps is that here,
#    and what training loss do you expect at the end?
# 2. **Tokens.** How many tokens is one epoch over s1K, and why does the paper's epoch take 26
#    minutes on 16 GPUs while ours takes seconds?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. {glue:text}`ex_five_epoch_steps` steps, against this run's {glue:text}`ex_run_steps`. This run's
#    loss was {glue:text}`ex_loss_half` at step {glue:text}`ex_half_step` and {glue:text}`ex_loss_final`
#    at its end, still falling: a longer schedule ends lower. The recipe's comment says what a
#    longer run (250 steps) did to forcing.
# 2. {glue:text}`ex_epoch_tokens:,.0f` tokens. The paper's traces are thousands of tokens long and its
#    model has 32 billion parameters against our one million.
# ```

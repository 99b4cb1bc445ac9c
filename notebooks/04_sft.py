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
# **After this chapter you can**
# - describe one training example in s1's format: the question, the thinking between its
#   delimiters, and the answer;
# - say which tokens carry the loss and why the question carries none;
# - read a training run's size and speed (examples, optimizer steps, epochs, tokens) and its loss
#   curve;
# - convert between epochs and optimizer steps, and set this run's schedule beside the paper's.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %% tags=["remove-cell"]
from s1kit import paper

recipe = paper.SFT_RECIPE
book.glue_numbers({"paper_selected": paper.SELECTED, "paper_epochs": recipe["epochs"], "paper_batch": recipe["batch_size"],
                   "paper_steps": recipe["epochs"] * -(-paper.SELECTED // recipe["batch_size"]),  # whole batches, rounded up
                   "paper_warmup_pct": 100 * recipe["warmup"], "paper_minutes": recipe["minutes"]})
glue("paper_lr", f"{recipe['learning_rate']:.0e}".replace("e-0", "e-"), display=False)
glue("paper_gpus", recipe["gpus"], display=False)
glue("paper_recipe", f"{recipe['epochs']} epochs in {recipe['minutes']} minutes on {recipe['gpus']}s, the whole run",
     display=False)

# %% [markdown]
# **Paper, Section 4.1 and Appendix D** {cite:p}`muennighoff2025s1`. Qwen2.5-32B-Instruct
# {cite:p}`qwen2025qwen25` is fine-tuned on the {glue:text}`paper_selected:,` s1K examples for
# {glue:text}`paper_epochs` epochs (batch {glue:text}`paper_batch`, learning rate
# {glue:text}`paper_lr`, cosine decay, {glue:text}`paper_warmup_pct:.0f`% warmup). The whole run, all
# {glue:text}`paper_epochs` epochs, takes {glue:text}`paper_minutes` minutes on
# {glue:text}`paper_gpus` GPUs. The loss covers only the reasoning trace and the answer, not the
# question. This is supervised fine-tuning ({doc}`SFT <../glossary>`): the model learns to write
# the teacher's traces, token by token.
#
# **This chapter** runs the same step with trl's `SFTTrainer` {cite:p}`vonwerra2020trl`
# ({py:func}`s1kit.training.train_sft`, {py:func}`s1kit.pipeline.sft`). Each example is the chat
# prompt and an assistant turn `<|im_start|>think ... <|im_start|>answer Final Answer: ...`: the
# {doc}`thinking tokens <../glossary>` between the two delimiters, then the answer. The loss mask
# is built in {py:func}`s1kit.training.tokenize_example`.

# %% [markdown]
# ## One example, and what carries the loss

# %%
from s1kit.chat import ChatFormat
from s1kit.report import training as training_report
from s1kit.tokenizer import load_tokenizer
from s1kit.training import sft_examples, tokenize_example

s1k = pipeline.selection(run)["s1k"]
# the base model's tokenizer: the fine-tuned model keeps it
tokenizer = load_tokenizer(pipeline.base_model(run)["path"])

# %% tags=["tiny-world"]
example = sft_examples(s1k[:1], ChatFormat())[0]
row = tokenize_example(tokenizer, example, run.profile.sft.train.max_length)
# A token that carries loss is printed as it is; a token with no loss (the question,
# and any forced span: none in the main world, whose "Wait"s are trained on) as a dot.
pairs = zip(row["input_ids"], row["completion_mask"], strict=True)
print("".join(tokenizer.decode([i]) if trained else "·" for i, trained in pairs))

# %% tags=["paper-scale"]
# The first s1K example as the fine-tune tokenizes it: the base model's own chat template and tokenizer.
if run.profile.sft.kind == "pretrained":
    print(f"(this run fine-tunes nothing: {run.profile.sft.path} was trained elsewhere; `sft.kind: train` would see this)")
example = sft_examples(s1k[:1], ChatFormat.from_tokenizer(tokenizer), run.profile.sft.answer_prefix)[0]
row = tokenize_example(tokenizer, example, run.profile.sft.train.max_length, "truncate")
ids, mask = row["input_ids"], row["completion_mask"]
first = mask.index(1)
print(f"{len(ids):,} tokens (at most sft.train.max_length = {run.profile.sft.train.max_length:,}): {first:,} of prompt "
      f"with no loss, {sum(mask):,} trained on")
print("end of the prompt (no loss):", repr(tokenizer.decode(ids[max(0, first - 24):first])))
print("start of the completion (loss):", repr(tokenizer.decode(ids[first:first + 40])))
print("end of the completion (loss):", repr(tokenizer.decode(ids[-40:])))

# %% [markdown]
# ## The training run

# %% tags=["tiny-world"]
result = pipeline.sft(run)
report = result["report"]
training_report.summary_table(report)

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers({"sft_steps": report["steps"], "sft_epochs": training_report.epochs(report),
                   "sft_seconds": report["wall_s"], "sft_tokens_per_s": round(report["tokens_per_s"]),
                   "sft_batch": report["batch_plan"]["global_batch"]})
book.glue_figure("fig_sft_loss", training_report.loss_figure({"SFT on s1K": report}))

# %% tags=["paper-scale"]
from IPython.display import display

result = pipeline.sft(run)
report = result["report"]
if report is None:  # sft.kind: pretrained, a released fine-tuned checkpoint
    print(f"The fine-tuned model is a released checkpoint, {result['path']}: nothing was trained here.")
else:
    display(training_report.summary_table(report))

# %% tags=["remove-cell", "paper-scale"]
from s1kit.report.figures import empty_figure

if report is None:
    glue("sft_line", f"nothing was trained here: the fine-tuned model is the released checkpoint "
         f"{result['path']}, used as it is", display=False)
    fig = empty_figure(f"no training in this run: {result['path']} is a released checkpoint")
else:
    glue("sft_line", f"{report['steps']} steps, about {training_report.epochs(report):.1f} epochs over s1K, in "
         f"{report['wall_s'] / 60:.1f} minutes at {report['tokens_per_s']:,.0f} tokens/s on this machine; the "
         f"fine-tuned model is saved in Hugging Face format in runs/<profile>/models/sft/", display=False)
    fig = training_report.loss_figure({"SFT on s1K": report})
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
# :alt: Line chart on a log scale: the SFT training loss falling over the training steps.
# Training loss of SFT on s1K (completion tokens only, log scale) at every logged step.
# ```
#
# ## Summary
# - {glue:text}`sft_steps` steps of {glue:text}`sft_batch` examples, about {glue:text}`sft_epochs`
#   epochs over s1K, in {glue:text}`sft_seconds` seconds at {glue:text}`sft_tokens_per_s:,`
#   tokens/s on this machine. The paper's recipe for comparison ({py:mod}`s1kit.paper`, Section
#   4.1): {glue:text}`paper_recipe`. The tiny model trains at the paper's batch size for fewer
#   epochs than the paper, so that all the study's fine-tunings (the contrast worlds of chapter 7,
#   the data ablations of chapter 11) fit in minutes on a laptop.
# - The fine-tuned model is saved in Hugging Face format in `runs/<profile>/models/sft/`.

# %% tags=["remove-cell", "tiny-world"]
# The exercises' reference outcomes: the step count the Trainer would run for the recipe's epochs
# and its time at this run's speed; every s1K example's length in tokens against a shorter
# max_length (tokenizing 1,000 short examples: a fraction of a second); the model's size.
import math

from s1kit.modeling import count_parameters, load_model

epochs = run.profile.sft.train.num_train_epochs
knob_length = 128
lengths = [len(tokenize_example(tokenizer, e, 10**9)["input_ids"]) for e in sft_examples(s1k, ChatFormat())]
parameters = count_parameters(load_model(result["path"]))
book.glue_numbers({**training_report.exercise_numbers(report, epochs), **training_report.time_numbers(report, epochs),
                   **training_report.length_numbers(lengths, knob_length),
                   "ex_epochs": int(epochs) if float(epochs).is_integer() else epochs,
                   "ex_batches_per_epoch": math.ceil(report["examples"] / report["batch_plan"]["global_batch"]),
                   "ex_epoch_tokens": sum(lengths),  # exact: the report's mean length is rounded
                   # two significant digits: the paper's model size is only its name's round 32 billion
                   "ex_parameters": parameters, "ex_parameter_ratio": float(f"{32e9 / parameters:.2g}")})
glue("ex_too_long_setting", run.profile.sft.train.too_long, display=False)

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `sft.train.max_steps`.** Set it to 0, so that the recipe's `num_train_epochs`
#    ({glue:text}`ex_epochs`, as the paper) decides how long training runs. How many optimizer
#    steps is that, and how long would it take on this machine?
# 2. **Knob: `sft.train.max_length`.** Set it to {glue:text}`ex_knob_length` tokens. What happens
#    to the SFT stage, and to the examples?
# 3. **Tokens and time.** How many tokens does one epoch over s1K hold here? The paper's whole
#    run, all {glue:text}`paper_epochs` epochs, took {glue:text}`paper_minutes` minutes on
#    {glue:text}`paper_gpus` GPUs; ours took {glue:text}`sft_seconds` seconds on a CPU. Where does
#    the difference come from?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. {glue:text}`ex_five_epoch_steps` steps: s1K's examples make {glue:text}`ex_batches_per_epoch`
#    batches per epoch (the last one not full), times {glue:text}`ex_epochs` epochs. (The same
#    arithmetic for the paper's {glue:text}`paper_selected:,` examples at batch
#    {glue:text}`paper_batch` gives {glue:text}`paper_steps`.) This run took {glue:text}`ex_run_s` seconds for {glue:text}`ex_run_steps`
#    steps, so about {glue:text}`ex_five_epoch_s` seconds.
# 2. {glue:text}`ex_too_long:,` of s1K's {glue:text}`ex_examples:,` examples are longer than
#    {glue:text}`ex_knob_length` tokens (the longest: {glue:text}`ex_longest`). This recipe's
#    `too_long` setting is "{glue:text}`ex_too_long_setting`": with `error` the stage stops at the first such
#    example and names it; with `truncate` (what s1's trl did to its few over-long traces) each one
#    loses its end, and with it the answer, so the model trains on thinking that never reaches
#    "Final Answer".
# 3. {glue:text}`ex_epoch_tokens:,.0f` tokens in one epoch, {glue:text}`ex_run_tokens:,` in the whole
#    run. The paper's model is named for its 32 billion parameters; ours has
#    {glue:text}`ex_parameters:,`, so each of its tokens costs about {glue:text}`ex_parameter_ratio:,.0f`
#    times less compute, and the paper's traces are far longer than a running sum.
# ```

# %% [markdown]
# ## Check yourself
# 1. Why does the question carry no loss?
#
# ```{admonition} Answer
# :class: dropdown
# At test time the question is given; the model never has to write it. The loss is spent on what
# the model must produce, the thinking and the answer, as in the paper (Section 4.1). Training on
# the question would also teach the model to predict questions, a skill nobody asks of it.
# ```
#
# 2. The training loss falls close to zero. Does that mean the model will answer the held-out
#    questions right?
#
# ```{admonition} Answer
# :class: dropdown
# No. The loss measures how well the model copies its training traces, and it copies their habits
# as well as their sums: a trace that stops early and answers a partial sum is copied too. How
# often the model answers new questions right is measured on the held-out set, in chapters 5 and 6.
# ```
#
# 3. s1 fine-tunes on only {glue:text}`paper_selected:,` examples. If not new knowledge, what does
#    that teach the model?
#
# ```{admonition} Answer
# :class: dropdown
# A format and a habit: to think between the delimiters before it answers, laid out as the teacher
# lays out its traces, and to end its thinking where the teacher does. The paper argues that the
# base model already holds the knowledge and that the small set only brings out the reasoning.
# Budget forcing (chapter 5) then controls how long that thinking runs.
# ```

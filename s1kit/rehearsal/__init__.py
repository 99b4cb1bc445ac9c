"""Rehearsals: running the GPU recipes on a CPU machine, end to end, through their real code.

A rehearsal swaps only what cannot exist on a CPU machine without internet for a stand-in that
the real code cannot tell apart: the Hugging Face Hub becomes a local, Hub-compatible server on
127.0.0.1 (``s1kit.rehearsal.hub``) that serves small datasets and tiny models under the real
Hub ids, so ``load_dataset``, ``from_pretrained`` and ``snapshot_download`` run unchanged.
"""

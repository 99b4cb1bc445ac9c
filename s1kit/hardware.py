"""Which kind of processor a run computes on, as far as its numbers are concerned.

Two CPUs give bit-identical tiny models only when oneDNN computes the same way on both: the
processor's numeric features (AMX, AVX512-BF16, AVX512, AVX2) and any limit put on oneDNN (how
this project emulates a laptop without native bf16: ``ONEDNN_MAX_CPU_ISA=AVX2
MKL_ENABLE_INSTRUCTIONS=AVX2``) both count. :func:`cpu_kind` names both; run cards, training
reports and the reference runs (one per CPU setting, ``s1kit.reference``) use it.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

# CPU features that decide how bf16 matrix products are computed (oneDNN picks AMX, AVX512-BF16 or
# a plain AVX512/AVX2 path); runs on CPUs that differ here do not give bit-identical models.
NUMERIC_FLAGS = ("amx_bf16", "amx_tile", "avx512_bf16", "avx512f", "avx2")
# Environment variables that cap the instruction set oneDNN and MKL use.
ISA_LIMITS = ("ONEDNN_MAX_CPU_ISA", "MKL_ENABLE_INSTRUCTIONS")


def cpu_kind() -> str:
    """The processor's model name, its numeric features, and any instruction-set limit put on oneDNN.

    ``"AMD EPYC 9R14 [avx512_bf16 avx512f avx2]"`` here; ``"... [avx512_bf16 avx512f avx2]
    ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2"`` with AVX2 emulated.
    """
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    kind = f"{model} [{' '.join(f for f in NUMERIC_FLAGS if f in flags) or 'no bf16/avx flags'}]"
    limits = [f"{name}={os.environ[name]}" for name in ISA_LIMITS if os.environ.get(name)]
    return " ".join([kind, *limits])

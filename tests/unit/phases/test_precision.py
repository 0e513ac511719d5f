"""precision: auto picks bf16 only where the device computes it natively."""

import torch

from intermezzo.phases import loop


def test_auto_follows_the_cpu_probe(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True, raising=False)
    assert loop.resolve_precision(cpu, "auto") == "bf16"
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    assert loop.resolve_precision(cpu, "auto") == "fp32"
    assert isinstance(loop.autocast(cpu, "auto"), type(loop.autocast(cpu, "fp32")))


def test_explicit_precisions_are_kept():
    cpu = torch.device("cpu")
    for p in ("fp32", "bf16", "fp16"):
        assert loop.resolve_precision(cpu, p) == p

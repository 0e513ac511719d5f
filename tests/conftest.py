"""Test-wide settings: one thread (two stall on the CI machines), offline hub, fixed seeds."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover
    pass


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """The tiny local XLM-R (tokenizer + 2 layers), built once per test session."""
    from intermezzo.modeling.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.getbasetemp() / "tiny-model")


@pytest.fixture(scope="session")
def tiny(tiny_model_dir):
    """(encoder, tokenizer) of the tiny model, in eval mode."""
    from intermezzo.modeling import load_encoder

    encoder, tokenizer = load_encoder(tiny_model_dir)
    return encoder.eval(), tokenizer

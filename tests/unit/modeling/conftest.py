"""Session fixtures: the tiny model, built once per session (same folder in every conftest, so built once)."""

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    from intermezzo.modeling.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.getbasetemp() / "tiny-model")


@pytest.fixture(scope="session")
def tiny(tiny_model_dir):
    """(encoder, tokenizer) of the tiny model, in eval mode."""
    from intermezzo.modeling import load_encoder

    encoder, tokenizer = load_encoder(tiny_model_dir)
    return encoder.eval(), tokenizer

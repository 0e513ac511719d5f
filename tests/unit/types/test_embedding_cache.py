"""Retrieval inference encodes each distinct text once per model: noise variants re-encode only their queries."""

import torch

from intermezzo.phases.predict import predict
from intermezzo.tasks import get_task
from intermezzo.types import TYPES

RET = TYPES["retrieval"]


class Counting(torch.nn.Module):
    """The encoder, counting the rows it is asked to encode."""

    def __init__(self, encoder):
        super().__init__()
        self.inner, self.rows = encoder, 0
        self.config = encoder.config

    def forward(self, **inputs):
        self.rows += inputs["input_ids"].shape[0]
        return self.inner(**inputs)


def _examples(queries):
    return [{"id": f"de-{n}", "kind": "query", "text": t, "gold": [f"en-{n}"]} for n, t in enumerate(queries)] + \
        [{"id": f"en-{n}", "kind": "candidate", "text": t} for n, t in
         enumerate(["The cat sleeps.", "I like tea.", "Berlin is big.", "It rains."])]


def test_candidates_are_encoded_once_across_noise_variants(tiny):
    encoder, tok = tiny
    counting = Counting(encoder)
    spec = get_task("tatoeba")
    head = RET.build_head(spec, encoder.config.hidden_size)
    clean = _examples(["Die Katze schläft.", "Ich mag Tee.", "Berlin ist groß.", "Es regnet."])
    noisy = _examples(["Die Kazte schläft.", "Ich mag Tee.", "Berlni ist groß.", "Es regent."])
    device = torch.device("cpu")
    first = predict(spec, clean, counting, head, tok, 64, 3, device)
    assert counting.rows == 8
    assert predict(spec, clean, counting, head, tok, 64, 3, device) == first and counting.rows == 8
    predict(spec, noisy, counting, head, tok, 64, 3, device)
    assert counting.rows == 8 + 3            # only the three changed queries
    # a different layer is a different embedding; so are changed weights
    predict(spec, clean, counting, RET.build_head(spec, encoder.config.hidden_size, layer=1), tok, 64, 3, device)
    assert counting.rows == 19


def test_changed_weights_or_training_never_use_the_cache(tiny_model_dir):
    from intermezzo.modeling import load_encoder

    encoder, tok = load_encoder(tiny_model_dir)
    counting = Counting(encoder.eval())
    spec = get_task("tatoeba")
    head = RET.build_head(spec, encoder.config.hidden_size)
    examples = _examples(["Die Katze schläft.", "Ich mag Tee.", "Berlin ist groß.", "Es regnet."])
    device = torch.device("cpu")
    predict(spec, examples, counting, head, tok, 64, 8, device)
    with torch.no_grad():
        encoder.embeddings.word_embeddings.weight.mul_(1.5)    # an in-place update, as an optimizer step
    predict(spec, examples, counting, head, tok, 64, 8, device)
    assert counting.rows == 16
    batch = RET.collate(RET.featurize(spec, examples, tok, 64), tok.pad_token_id)
    counting.train()
    RET.forward(counting, head, batch)
    assert counting.rows == 24

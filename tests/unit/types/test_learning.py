"""Every trainable type learns: a few AdamW steps on one fixture batch lower its loss (targets are wired right)."""

import pytest
import torch

from support.fixtures import fixture_examples
from intermezzo.tasks import TASKS
from intermezzo.types import TYPES


@pytest.mark.parametrize("task", ["xcopa", "panx", "xquad", "pawsx"])
def test_few_steps_lower_the_loss(task, tiny_model_dir):
    from intermezzo.modeling import load_encoder

    torch.manual_seed(0)
    encoder, tok = load_encoder(tiny_model_dir)
    spec = TASKS[task]
    ttype = TYPES[spec.type]
    split = "validation" if "validation" in spec.splits else "test"
    examples = fixture_examples(task, split, "en" if task != "xcopa" else "it")[:6]
    batch = ttype.collate(ttype.featurize(spec, examples, tok, 64), tok.pad_token_id)
    head = ttype.build_head(spec, encoder.config.hidden_size)
    opt = torch.optim.AdamW(list(encoder.parameters()) + list(head.parameters()), lr=3e-3)
    # eval mode: no dropout, so the decrease is deterministic (this checks the wiring, not regularisation)
    encoder.eval(), head.eval()
    losses = []
    for _ in range(20):
        loss = ttype.loss(ttype.forward(encoder, head, batch), batch)
        opt.zero_grad(), loss.backward(), opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], losses

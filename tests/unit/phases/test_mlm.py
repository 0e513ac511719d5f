"""MLM: 80/10/10 masking of real tokens only; the tied head is created when the checkpoint has none."""

import torch

from intermezzo.phases.mlm import MaskingCollator, mlm_loss, mlm_task


def test_masking_is_80_10_10_and_never_touches_specials(tiny_model_dir):
    from intermezzo.modeling import load_encoder

    _, tok = load_encoder(tiny_model_dir)
    ids = tok(["The quick brown fox jumps over the lazy dog. " * 6] * 64, truncation=True, max_length=64)["input_ids"]
    torch.manual_seed(0)
    batch = MaskingCollator(tok, 0.15)([{"input_ids": x} for x in ids])
    original = torch.tensor(ids)
    chosen = batch["labels"] != -100
    special = torch.isin(original, torch.tensor(tok.all_special_ids))
    assert not (chosen & special).any()
    assert torch.equal(batch["labels"][chosen], original[chosen])
    share = chosen.sum().item() / (~special).sum().item()
    assert abs(share - 0.15) < 0.02
    masked = (batch["input_ids"] == tok.mask_token_id) & chosen
    kept = (batch["input_ids"] == original) & chosen
    assert abs(masked.sum().item() / chosen.sum().item() - 0.8) < 0.05
    assert abs(kept.sum().item() / chosen.sum().item() - 0.1) < 0.05  # 10% kept (+ random draws of the same id)
    assert torch.equal(batch["input_ids"][~chosen], original[~chosen])


def test_mlm_task_ties_its_head_and_gives_a_finite_loss(tiny_model_dir, tmp_path):
    from intermezzo.modeling import load_encoder

    encoder, tok = load_encoder(tiny_model_dir)
    (tmp_path / "de.txt").write_text("Ich wohne in Berlin.\n\nDer Hund schläft.\n", encoding="utf-8")
    task = mlm_task(encoder, tok, {"de": str(tmp_path / "de.txt")}, 0.5, 32)
    assert len(task.features) == 2  # blank lines skipped
    assert task.head.decoder.weight is encoder.get_input_embeddings().weight
    torch.manual_seed(1)
    loss = mlm_loss(encoder, task.head, task.collate(task.features))
    assert torch.isfinite(loss) and loss.item() > 0

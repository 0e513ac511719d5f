"""The modeling layer: tiny model, load_encoder options, save/load round trips, the MLM head."""

import json

import pytest
import torch
from safetensors import safe_open

from intermezzo.errors import UserError
from intermezzo.modeling import add_mlm_head, load_encoder, load_heads, save_model
from intermezzo.modeling.tiny import build_tiny_model


def test_tiny_tokenizer_offsets_on_non_latin_text(tiny):
    _, tok = tiny
    for text in ["我住在北京。", "मैं दिल्ली में रहता हूँ।", "أنا أعيش في القاهرة", "Я живу в Москве", "ЁЛКА Ωμέγα QXZ",
                 "ボリスはマドリードに住んでいます。", "서울에 산다"]:
        enc = tok(text, return_offsets_mapping=True)
        ids, offsets = enc["input_ids"], enc["offset_mapping"]
        assert ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id
        assert tok.unk_token_id not in ids, text
        spans = [(a, b) for a, b in offsets[1:-1]]
        assert all(0 <= a < b <= len(text) for a, b in spans)
        # every non-space character is covered by some token span
        covered = {i for a, b in spans for i in range(a, b)}
        assert covered >= {i for i, c in enumerate(text) if not c.isspace()}


def test_tiny_special_tokens_follow_xlmr(tiny):
    encoder, tok = tiny
    assert (tok.cls_token, tok.sep_token, tok.pad_token, tok.unk_token, tok.mask_token) == \
        ("<s>", "</s>", "<pad>", "<unk>", "<mask>")
    assert (tok.cls_token_id, tok.pad_token_id, tok.sep_token_id, tok.unk_token_id) == (0, 1, 2, 3)
    assert encoder.config.vocab_size == len(tok) and encoder.config.num_hidden_layers == 2
    assert 32 <= encoder.config.hidden_size <= 64


def test_tiny_build_is_cached_and_seeded(tmp_path, tiny_model_dir):
    first = build_tiny_model(tmp_path / "m")
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert build_tiny_model(tmp_path / "m") == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp  # not rebuilt
    with safe_open(str(first / "model.safetensors"), "pt") as a, \
            safe_open(str(tiny_model_dir / "model.safetensors"), "pt") as b:
        key = "embeddings.word_embeddings.weight"
        assert torch.equal(a.get_tensor(key), b.get_tensor(key))  # same seed, same weights


def test_keep_layers_and_freeze_embeddings(tiny_model_dir):
    encoder, _ = load_encoder(tiny_model_dir, keep_layers=1, freeze_embeddings=True)
    assert len(encoder.encoder.layer) == 1 and encoder.config.num_hidden_layers == 1
    assert not any(p.requires_grad for p in encoder.embeddings.parameters())
    assert all(p.requires_grad for p in encoder.encoder.parameters())
    out = encoder(input_ids=torch.tensor([[0, 10, 11, 2]]), output_hidden_states=True)
    assert len(out.hidden_states) == 2  # embeddings + one layer


def test_keep_layers_out_of_range_is_a_user_error(tiny_model_dir):
    with pytest.raises(UserError, match="keep_layers=5"):
        load_encoder(tiny_model_dir, keep_layers=5)


def test_unknown_layout_is_a_user_error():
    from intermezzo.modeling import truncate_layers

    with pytest.raises(UserError, match="unknown layer layout"):
        truncate_layers(torch.nn.Linear(2, 2), 1)


def test_unreachable_hub_and_bad_folder_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="hub"):
        load_encoder("no-such-org/no-such-model-xyz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no config.json"):
        load_encoder(tmp_path / "empty")


def test_dtype_option(tiny_model_dir, tmp_path):
    encoder, tok = load_encoder(tiny_model_dir, dtype="bfloat16")
    assert encoder.embeddings.word_embeddings.weight.dtype == torch.bfloat16
    folder = save_model(tmp_path / "bf16-copy", encoder, tok)
    assert load_encoder(folder)[0].embeddings.word_embeddings.weight.dtype == torch.float32  # default: float32
    assert load_encoder(folder, dtype="auto")[0].embeddings.word_embeddings.weight.dtype == torch.bfloat16
    with pytest.raises(UserError, match="dtype"):
        load_encoder(tiny_model_dir, dtype="int3")


def test_save_load_round_trip_gives_identical_outputs(tiny_model_dir, tmp_path):
    encoder, tok = load_encoder(tiny_model_dir)
    torch.manual_seed(1)
    head = torch.nn.Sequential(torch.nn.Linear(encoder.config.hidden_size, 3))
    mlm = add_mlm_head(encoder)
    folder = save_model(tmp_path / "saved", encoder, tok, heads={"cls": head, "mlm": mlm})
    assert (folder / "model.safetensors").is_file() and (folder / "heads.safetensors").is_file()
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt"))
    meta = json.loads((folder / "heads.json").read_text())
    assert meta["mlm"]["kind"] == "mlm" and meta["mlm"]["tied"] == ["decoder.weight"]

    encoder2, tok2 = load_encoder(folder)
    heads = load_heads(folder, encoder=encoder2,
                       build=lambda name, m: torch.nn.Sequential(torch.nn.Linear(m["hidden_size"], 3))
                       if name == "cls" else None)
    batch = tok(["Hello world", "我住在北京"], padding=True, return_tensors="pt")
    assert tok2(["Hello world"])["input_ids"] == tok(["Hello world"])["input_ids"]
    with torch.no_grad():
        h1 = encoder.eval()(**batch).last_hidden_state
        h2 = encoder2.eval()(**batch).last_hidden_state
        assert torch.equal(h1, h2)
        assert torch.equal(head(h1), heads["cls"](h2))
        assert torch.equal(mlm(h1), heads["mlm"](h2))
    assert heads["mlm"].decoder.weight is encoder2.get_input_embeddings().weight


def test_mlm_head_is_tied_and_predicts_vocab(tiny):
    encoder, tok = tiny
    head = add_mlm_head(encoder)
    assert head.decoder.weight is encoder.get_input_embeddings().weight
    hidden = encoder(input_ids=torch.tensor([[0, 10, tok.mask_token_id, 2]])).last_hidden_state
    assert head(hidden).shape == (1, 4, len(tok))


def test_load_heads_without_recipe_is_a_user_error(tiny, tmp_path):
    encoder, tok = tiny
    folder = save_model(tmp_path / "m", encoder, tok, heads={"x": torch.nn.Linear(2, 2)})
    with pytest.raises(UserError, match="rebuild"):
        load_heads(folder)
    assert load_heads(tmp_path / "nothing-here") == {}


def test_task_heads_rebuild_from_type_and_task(tiny, tmp_path):
    from intermezzo.tasks import get_task
    from intermezzo.types import TYPES

    encoder, tok = tiny
    torch.manual_seed(3)
    xnli = TYPES["classification"].build_head(get_task("xnli"), encoder.config.hidden_size).eval()
    ret = TYPES["retrieval"].build_head(get_task("tatoeba"), encoder.config.hidden_size)
    ret.layer, ret.pooling = 1, "cls"
    meta = {"xnli": {"type": "classification", "task": "xnli"}, "tatoeba": {"type": "retrieval", "task": "tatoeba"}}
    folder = save_model(tmp_path / "m", encoder, tok, heads={"xnli": xnli, "tatoeba": ret}, head_meta=meta)
    heads = load_heads(folder, names=["xnli", "tatoeba"])
    x = torch.randn(2, encoder.config.hidden_size)
    assert torch.equal(heads["xnli"].eval()(x), xnli(x))
    assert (heads["tatoeba"].layer, heads["tatoeba"].pooling) == (1, "cls")
    assert list(load_heads(folder, names=["xnli"])) == ["xnli"]


def test_wrapped_modules_are_saved_unwrapped(tiny, tmp_path):
    from safetensors.torch import load_file

    class Wrapper(torch.nn.Module):  # the shape of DistributedDataParallel: the model under .module
        def __init__(self, module):
            super().__init__()
            self.module = module

    encoder, tok = tiny
    folder = save_model(tmp_path / "m", Wrapper(encoder), tok, heads={"h": Wrapper(torch.nn.Linear(2, 3))})
    assert sorted(load_file(str(folder / "heads.safetensors"))) == ["h.bias", "h.weight"]
    assert load_encoder(folder)[0].config.hidden_size == encoder.config.hidden_size


def test_mlm_head_loads_pretrained_lm_head_weights(tiny_model_dir, tmp_path):
    from transformers import AutoModelForMaskedLM

    mlm_model = AutoModelForMaskedLM.from_pretrained(tiny_model_dir)  # adds a (random) lm_head
    mlm_model.save_pretrained(tmp_path / "mlm")
    encoder, _ = load_encoder(tmp_path / "mlm")
    head = add_mlm_head(encoder, tmp_path / "mlm")
    assert torch.equal(head.dense.weight, mlm_model.lm_head.dense.weight)
    assert torch.equal(head.bias, mlm_model.lm_head.bias)
    assert head.decoder.weight is encoder.get_input_embeddings().weight
    fresh = add_mlm_head(encoder, tiny_model_dir)  # no lm_head there: freshly initialised
    assert not torch.equal(fresh.dense.weight, mlm_model.lm_head.dense.weight)


def test_folder_with_missing_files_is_a_user_error(tiny_model_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(tiny_model_dir / "config.json", broken / "config.json")
    with pytest.raises(UserError, match="re-save"):
        load_encoder(broken)


def test_tiny_model_command(tmp_path):
    import typer
    from typer.testing import CliRunner

    from intermezzo.modeling import commands

    app = typer.Typer()
    app.callback()(lambda: None)
    commands.register(app)
    result = CliRunner().invoke(app, ["tiny-model", str(tmp_path / "t"), "--hidden-size", "48"])
    assert result.exit_code == 0, result.output
    encoder, _ = load_encoder(tmp_path / "t")
    assert encoder.config.hidden_size == 48
    bad = CliRunner().invoke(app, ["tiny-model", str(tmp_path / "u"), "--hidden-size", "3"])
    assert isinstance(bad.exception, UserError)


def test_tiny_model_never_replaces_a_users_file_or_folder(tmp_path):
    import typer
    from typer.testing import CliRunner

    from intermezzo.modeling import commands

    app = typer.Typer()
    app.callback()(lambda: None)
    commands.register(app)
    afile = tmp_path / "afile"
    afile.write_text("my notes\n")
    result = CliRunner().invoke(app, ["tiny-model", str(afile)])
    assert isinstance(result.exception, UserError) and "is a file, not a folder" in str(result.exception)
    assert afile.read_text() == "my notes\n" and not (tmp_path / ".afile.old").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.txt").write_text("keep\n")
    with pytest.raises(UserError, match="other files in it"):
        build_tiny_model(mine)
    assert (mine / "data.txt").read_text() == "keep\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (build_tiny_model(empty) / "config.json").is_file()
    assert build_tiny_model(empty, seed=1) == empty   # a tiny model of other settings is rebuilt in place


def _broken_copies(tiny_model_dir, tmp_path):
    import shutil

    from safetensors.torch import load_file

    truncated = tmp_path / "truncated"
    shutil.copytree(tiny_model_dir, truncated)
    data = (truncated / "model.safetensors").read_bytes()
    (truncated / "model.safetensors").write_bytes(data[:len(data) // 2])
    plain = tmp_path / "plain"
    shutil.copytree(tiny_model_dir, plain)
    state = load_file(str(plain / "model.safetensors"))
    (plain / "model.safetensors").unlink()
    torch.save(state, plain / "pytorch_model.bin")
    return truncated, plain


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return os.makedirs, (str(self.marker),)


def test_damaged_or_pickled_weights_fail_in_one_line(tiny_model_dir, tmp_path):
    truncated, plain = _broken_copies(tiny_model_dir, tmp_path)
    with pytest.raises(UserError) as e:
        load_encoder(truncated)
    assert "model.safetensors: unreadable safetensors" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(UserError) as e:
        load_encoder(plain)   # a plain torch.save(state_dict): refused up front all the same
    assert "pytorch_model.bin: a pickle checkpoint" in str(e.value) and "allow_pickle" in str(e.value)
    encoder, _ = load_encoder(plain, allow_pickle=True)
    assert encoder.config.num_hidden_layers == 2
    state = torch.load(plain / "pytorch_model.bin", weights_only=True)
    evil = tmp_path / "evil"
    plain.rename(evil)
    marker = tmp_path / "pwned"
    torch.save({**state, "payload": _Evil(marker)}, evil / "pytorch_model.bin")
    for opt_in in (False, True):
        with pytest.raises(UserError) as e:
            load_encoder(evil, allow_pickle=opt_in)
        assert "\n" not in str(e.value) and "weights_only=False" not in str(e.value)
    assert "could run code" in str(e.value) and not marker.exists()

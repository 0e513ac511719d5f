"""Retrieval (Tatoeba, BUCC, Mewsli-X, LAReQA): pooled sentence embeddings compared by cosine similarity.

Embeddings come from one encoder layer with mean or first-token ("cls") pooling. Tasks scored straight from
an encoder (spec.train_source None: Tatoeba, BUCC) take the layer and pooling resolve_retrieval gives (see
intermezzo.types.retrieval_layers: XTREME's scripts per model family, a sentence embedder's own recipe, or
the evaluate params retrieval_layer / retrieval_pooling); built without it, a head takes XTREME's layer for
the encoder's depth. Fine-tuned tasks (Mewsli-X, LAReQA: contrastive training on "pair" examples with
in-batch negatives) default to the last layer. spec.retrieval (tasks.spec.RetrievalOptions) may set
layer, pooling, temperature, top_k, threshold (BUCC) and margin_k (BUCC's k nearest neighbours; 0 = cosine).

As the official baselines do: Tatoeba is searched from each English sentence, and its predictions are the
official submission lines (evaluate_retrieval.py's similarity_search and jiant's Tatoeba scheme: one line
per sentence of the English side sorted by text, as utils_preprocess.py writes it, holding the 0-based line
of the retrieved sentence of the other language); BUCC is mined one-to-one by ratio margin (types.mining);
Mewsli-X queries mark their mention (types.mention). Inference encodes each distinct text once per model
(types.embedding_cache).
"""

from __future__ import annotations

import torch

from intermezzo.errors import UserError
from intermezzo.types.base import TaskType
from intermezzo.types.common import (metric_example_scores, metric_scores, pad_tokens, per_feature, run_encoder,
                                     stack_scalars, token_fields)
from intermezzo.types.embedding_cache import cacheable, cached_embed
from intermezzo.types.mention import fitted_query
from intermezzo.types.mining import (CHUNK, cosine, knn_mean, mine_bitext, mine_pairs, top_candidates,
                                     tune_threshold)
from intermezzo.types.retrieval_layers import resolve_retrieval, xtreme_layer, xtreme_pooling

__all__ = ["CHUNK", "Retrieval", "RetrievalHead", "cosine", "knn_mean", "mine_bitext", "mine_pairs",
           "resolve_retrieval", "top_candidates", "tune_threshold"]

# Tasks whose official submission searches from the candidate (English) side, one line per sorted English
# sentence: XTREME's third_party/evaluate_retrieval.py (tatoeba: idx.add(source); idx.search(english, 1)).
SEARCH_FROM_ENGLISH = ("tatoeba",)


class RetrievalHead(torch.nn.Module):
    """No trainable parameters: says which layer to read and how to pool it."""

    def __init__(self, layer: int | None = None, pooling: str = "mean", temperature: float = 0.05,
                 task: str | None = None):
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise UserError(f"retrieval pooling '{pooling}': use 'mean' or 'cls'")
        self.layer, self.pooling, self.temperature, self.task = layer, pooling, temperature, task

    @property
    def saved_attrs(self) -> dict:
        """What save_model records in heads.json to rebuild this head."""
        return {"layer": self.layer, "pooling": self.pooling, "temperature": self.temperature}

    def forward(self, hidden_states, attention_mask):
        n_layers = len(hidden_states) - 1          # hidden_states[0] is the embedding output
        layer = self.layer if self.layer is not None else xtreme_layer(n_layers, self.task)
        if not -n_layers - 1 <= layer <= n_layers:
            raise UserError(f"retrieval layer {layer}: the encoder has {n_layers} layers; choose 0..{n_layers}")
        states = hidden_states[layer]
        if self.pooling == "cls":
            return states[:, 0]
        mask = attention_mask.to(states.device, states.dtype).unsqueeze(-1)
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1)


def _kind(ex: dict) -> str:
    return ex.get("kind", "query")


def _input_text(ex: dict, tokenizer, max_length: int) -> str:
    """The text a query encodes: a Mewsli-X mention marked in its sentence, else the text itself."""
    if ex.get("mention"):
        return fitted_query(ex["text"], ex["mention"], tokenizer, max_length, ex.get("mention_start"))
    return ex["text"]


def _english_order(examples: list[dict], candidates: list[int]) -> list[int]:
    """Positions of `candidates` sorted by text, as utils_preprocess.py sorts Tatoeba's English side
    (a stable sort of the stripped lines: equal sentences keep their file order)."""
    return sorted(range(len(candidates)), key=lambda n: examples[candidates[n]]["text"].strip())


class Retrieval(TaskType):
    """Queries and candidates become one feature each; "pair" examples a feature with a positive text too."""

    name = "retrieval"

    def featurize(self, spec, examples, tokenizer, max_length, doc_stride=128):
        if not examples:  # tokenizers fail on an empty batch
            return []
        enc = tokenizer([_input_text(ex, tokenizer, max_length) for ex in examples], truncation=True,
                        max_length=max_length)
        pairs = [i for i, ex in enumerate(examples) if _kind(ex) == "pair"]
        pos = tokenizer([examples[i]["positive"] for i in pairs], truncation=True, max_length=max_length) \
            if pairs else None
        features = []
        for i, ex in enumerate(examples):
            features.append({**token_fields(enc, i), "example_index": i, "kind": _kind(ex)})
        for n, i in enumerate(pairs):
            features[i].update({f"pos_{k}": v for k, v in token_fields(pos, n).items()})
        return features

    def collate(self, features, pad_token_id):
        batch = {**pad_tokens(features, pad_token_id), **stack_scalars(features, "example_index")}
        if all("pos_input_ids" in f for f in features):
            batch.update(pad_tokens(features, pad_token_id, prefix="pos_"))
        return batch

    def build_head(self, spec, hidden_size, pooling: str | None = None, layer: int | None = None):
        """A RetrievalHead: `layer` / `pooling` (from resolve_retrieval), else spec.retrieval's, else the
        defaults: XTREME's for encoder-only tasks (layer by depth at run time), the last layer otherwise."""
        encoder_only = spec.train_source is None
        layer = layer if layer is not None else spec.retrieval.layer if spec.retrieval.layer is not None else (None if encoder_only else -1)
        pooling = pooling or spec.retrieval.pooling or (xtreme_pooling(spec.name) if encoder_only else "mean")
        return RetrievalHead(layer=layer, pooling=pooling, temperature=spec.retrieval.temperature,
                             task=spec.name if encoder_only else None)

    def scoring_head(self, spec, encoder, name_or_path, layer: int | None = None, pooling: str | None = None):
        """(head, reason) for scoring `spec` straight from `encoder`: resolve_retrieval's layer and pooling
        (the reason, e.g. "hidden_states[8] of 12 layers, mean pooling (XTREME's ...)", is for the summary)."""
        layer = layer if layer is not None else spec.retrieval.layer
        pooling = pooling or spec.retrieval.pooling
        index, pooled, reason = resolve_retrieval(encoder.config, name_or_path, layer, pooling, task=spec.name)
        return self.build_head(spec, encoder.config.hidden_size, pooling=pooled, layer=index), reason

    def forward(self, encoder, head, batch):
        def run(prefix, sub):
            states = run_encoder(encoder, sub, prefix=prefix, all_layers=True)
            return head(states, sub[prefix + "attention_mask"])

        def embed(prefix):
            if cacheable(encoder):
                return cached_embed(encoder, head, batch, prefix, lambda sub: run(prefix, sub))
            return run(prefix, batch)

        out = {"embeddings": embed(""), "temperature": head.temperature}
        if "pos_input_ids" in batch:
            out["positive"] = embed("pos_")
        return out

    def loss(self, outputs, batch):
        if "positive" not in outputs:
            raise UserError("retrieval training needs 'pair' examples (text + positive); the batch has none")
        logits = cosine(outputs["embeddings"], outputs["positive"]) / outputs["temperature"]
        # In-batch negatives: every other positive in the batch is a negative for this anchor.
        return torch.nn.functional.cross_entropy(logits, torch.arange(len(logits), device=logits.device))

    def _split(self, examples, features, outputs):
        if isinstance(outputs, dict):
            outputs = [outputs]
        rows = [o["embeddings"] if isinstance(o, dict) else o for o in outputs]
        emb = torch.stack([torch.as_tensor(r) for r in per_feature(rows, 1)])
        index = [f["example_index"] for f in features]
        pos = {i: n for n, i in enumerate(index)}
        q = sorted(i for i in index if _kind(examples[i]) == "query")
        c = sorted(i for i in index if _kind(examples[i]) == "candidate")
        if not q or not c:
            raise UserError("retrieval decode needs both 'query' and 'candidate' examples")
        return (q, emb[[pos[i] for i in q]]), (c, emb[[pos[i] for i in c]])

    def decode(self, spec, examples, features, outputs):
        """Tatoeba: per English sentence in sorted order, the line of its nearest query (the official
        submission); other accuracy tasks: the nearest candidate id per query; BUCC: the mined pairs
        scoring at least the threshold; otherwise the top_k (20) candidate ids per query, best first."""
        (q, q_emb), (c, c_emb) = self._split(examples, features, outputs)
        q_ids, c_ids = [examples[i]["id"] for i in q], [examples[i]["id"] for i in c]
        if spec.metric == "accuracy" and spec.name in SEARCH_FROM_ENGLISH:
            order = _english_order(examples, c)
            return [str(j) for j in top_candidates(c_emb[order], q_emb, 1)[1][:, 0].tolist()]
        if spec.metric == "accuracy":
            return [c_ids[row[0]] for row in top_candidates(q_emb, c_emb, 1)[1].tolist()]
        if spec.metric == "bucc_f1":
            scored = self._mine(spec, examples, q, q_emb, c, c_emb)
            threshold = spec.retrieval.threshold
            if threshold is None:  # tune on these examples when labelled (optimistic: prefer a dev threshold)
                gold = self._gold_pairs(examples, required=False)
                threshold = tune_threshold(scored, gold, midpoint=True)[0] if gold else 1.0  # 1: no better than kNN
            return [(a, b) for a, b, s in scored if s >= threshold]
        top = top_candidates(q_emb, c_emb, spec.retrieval.top_k)[1].tolist()
        return [[c_ids[j] for j in row] for row in top]

    def _mine(self, spec, examples, q, q_emb, c, c_emb):
        return mine_bitext([examples[i]["id"] for i in q], [examples[i]["id"] for i in c], q_emb, c_emb,
                           spec.retrieval.margin_k, [examples[i]["text"] for i in q],
                           [examples[i]["text"] for i in c])

    def tune_bucc_threshold(self, spec, examples, features, outputs) -> float:
        """The margin threshold with the best F1 on labelled (dev) examples; evaluate the test split with
        dataclasses.replace(spec, retrieval=dataclasses.replace(spec.retrieval, threshold=it)), as XTREME's BUCC
        baseline does."""
        (q, q_emb), (c, c_emb) = self._split(examples, features, outputs)
        scored = self._mine(spec, examples, q, q_emb, c, c_emb)
        return tune_threshold(scored, self._gold_pairs(examples, required=False), midpoint=True)[0]

    def _gold_pairs(self, examples, required=True) -> set[tuple[str, str]]:
        queries = [ex for ex in examples if _kind(ex) == "query"]
        if required and any(not ex.get("gold") for ex in queries):
            raise UserError("retrieval: some queries have no 'gold' ids; score on a labelled split")
        return {(ex["id"], g) for ex in queries for g in ex.get("gold") or []}

    def references(self, spec, examples):
        """Gold per query: its candidate id (accuracy), gold id lists (ranking), or all gold pairs (BUCC);
        Tatoeba: per sorted English sentence, the line of the query it translates (-1: none)."""
        if spec.metric == "bucc_f1":  # most BUCC sentences have no translation: only the pairs are gold
            gold = self._gold_pairs(examples, required=False)
            if not gold:
                raise UserError(f"{spec.name}: no gold pairs; score on a labelled split")
            return sorted(gold)
        self._gold_pairs(examples)
        queries = [ex for ex in examples if _kind(ex) == "query"]
        if spec.metric == "accuracy" and spec.name in SEARCH_FROM_ENGLISH:
            line = {g: n for n, ex in enumerate(queries) for g in ex["gold"]}
            c = [i for i, ex in enumerate(examples) if _kind(ex) == "candidate"]
            return [str(line.get(examples[c[n]]["id"], -1)) for n in _english_order(examples, c)]
        golds = [list(ex["gold"]) for ex in queries]
        return [g[0] for g in golds] if spec.metric == "accuracy" else golds

    def score(self, spec, predictions, examples, lang):
        return metric_scores(spec, predictions, self.references(spec, examples), lang)

    def example_scores(self, spec, predictions, examples, lang):
        refs = self.references(spec, examples)
        if spec.metric == "bucc_f1":
            from intermezzo.metrics import example_scores

            return example_scores(spec.metric, predictions, refs, lang, sources=self._sources(examples))
        return self._by_query(spec, refs, metric_example_scores(spec, predictions, refs, lang))

    def example_parts(self, spec, predictions, examples, lang):
        """intermezzo.metrics.example_parts rows; BUCC: one per source sentence of the pool."""
        from intermezzo.metrics import example_parts

        refs = self.references(spec, examples)
        if spec.metric == "bucc_f1":
            return example_parts(spec.metric, predictions, refs, lang, sources=self._sources(examples))
        return self._by_query(spec, refs, example_parts(spec.metric, predictions, refs, lang))

    @staticmethod
    def _sources(examples):
        return [ex["id"] for ex in examples if _kind(ex) == "query"]

    @staticmethod
    def _by_query(spec, refs, rows: list) -> list:
        """Tatoeba rows (one per sorted English sentence) put in query order, so row n is the item of query
        n (what the evaluate phase's ids say); left in sorted order when gold is not one-to-one."""
        if spec.name not in SEARCH_FROM_ENGLISH or spec.metric != "accuracy":
            return rows
        lines = [int(r) for r in refs]
        if sorted(lines) != list(range(len(rows))):
            return rows
        out = [None] * len(rows)
        for row, line in zip(rows, lines):
            out[line] = row
        return out

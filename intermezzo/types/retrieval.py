"""Retrieval (Tatoeba, BUCC, Mewsli-X, LAReQA): pooled sentence embeddings compared by cosine similarity.

Embeddings come from one encoder layer with mean or first-token pooling. Tasks scored straight from an
encoder (spec.train_source None: Tatoeba, BUCC) default to layer n // 2 + 1 of n, as XTREME's scripts do
(7 of 12 for mBERT, 13 of 24 for XLM-R large; its BUCC script pools "cls"). Fine-tuned tasks (Mewsli-X,
LAReQA: contrastive training on "pair" examples with in-batch negatives) default to the last layer.
spec.retrieval (tasks.spec.RetrievalOptions) may set layer, pooling, temperature, top_k, threshold (BUCC) and
margin_k (BUCC's k nearest neighbours for the ratio margin; 0 = plain cosine).
"""

from __future__ import annotations

import torch

from intermezzo.errors import UserError
from intermezzo.types.base import TaskType
from intermezzo.types.common import (stack_scalars, metric_example_scores, metric_scores, pad_tokens, per_feature, run_encoder,
                                     token_fields)


class RetrievalHead(torch.nn.Module):
    """No trainable parameters: says which layer to read and how to pool it."""

    def __init__(self, layer: int | None = None, pooling: str = "mean", temperature: float = 0.05):
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise UserError(f"retrieval pooling '{pooling}': use 'mean' or 'cls'")
        self.layer, self.pooling, self.temperature = layer, pooling, temperature

    @property
    def saved_attrs(self) -> dict:
        """What save_model records in heads.json to rebuild this head."""
        return {"layer": self.layer, "pooling": self.pooling, "temperature": self.temperature}

    def forward(self, hidden_states, attention_mask):
        n_layers = len(hidden_states) - 1          # hidden_states[0] is the embedding output
        layer = self.layer if self.layer is not None else n_layers // 2 + 1
        if not -n_layers - 1 <= layer <= n_layers:
            raise UserError(f"retrieval layer {layer}: the encoder has {n_layers} layers; choose 0..{n_layers}")
        states = hidden_states[layer]
        if self.pooling == "cls":
            return states[:, 0]
        mask = attention_mask.to(states.device, states.dtype).unsqueeze(-1)
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1)


CHUNK = 4096  # query rows per similarity block: pools like Mewsli-X's (~1M candidates) never fit whole


def cosine(queries: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
    """(queries, candidates) cosine similarities."""
    q = torch.nn.functional.normalize(queries.float(), dim=-1)
    c = torch.nn.functional.normalize(candidates.float(), dim=-1)
    return q @ c.T


def top_candidates(queries: torch.Tensor, candidates: torch.Tensor, k: int, chunk: int = CHUNK):
    """(values, indices) of each query's k most cosine-similar candidates, best first, in query blocks."""
    k = min(k, len(candidates))
    c = torch.nn.functional.normalize(candidates.float(), dim=-1)
    parts = [(torch.nn.functional.normalize(queries[i:i + chunk].float(), dim=-1) @ c.T).topk(k, dim=1)
             for i in range(0, len(queries), chunk)]
    return torch.cat([v for v, _ in parts]), torch.cat([j for _, j in parts])


def knn_mean(rows: torch.Tensor, pool: torch.Tensor, k: int, chunk: int = CHUNK) -> torch.Tensor:
    """Per row, the mean cosine similarity of its k nearest neighbours in `pool`."""
    return top_candidates(rows, pool, k, chunk)[0].mean(1)


def mine_pairs(query_ids, candidate_ids, queries: torch.Tensor, candidates: torch.Tensor, k: int = 4,
               chunk: int = CHUNK) -> list[tuple[str, str, float]]:
    """Each query's best candidate by ratio margin (Artetxe & Schwenk 2019: cosine over the mean of both
    sides' k-nearest-neighbour similarity), as (query id, candidate id, margin); k=0 scores plain cosine."""
    if k > 0:
        q_knn, c_knn = knn_mean(queries, candidates, k, chunk), knn_mean(candidates, queries, k, chunk)
    c = torch.nn.functional.normalize(candidates.float(), dim=-1)
    mined = []
    for i in range(0, len(queries), chunk):
        sim = torch.nn.functional.normalize(queries[i:i + chunk].float(), dim=-1) @ c.T
        if k > 0:
            sim = sim / ((q_knn[i:i + chunk, None] + c_knn[None, :]) / 2)
        best = sim.max(dim=1)
        mined += [(query_ids[i + n], candidate_ids[j], float(v))
                  for n, (j, v) in enumerate(zip(best.indices.tolist(), best.values))]
    return mined


def tune_threshold(scored: list[tuple[str, str, float]], gold: set[tuple[str, str]]) -> tuple[float, float]:
    """The score threshold whose kept pairs have the best F1 against `gold`, and that F1 (0-100)."""
    if not gold:
        raise UserError("tune_threshold: no gold pairs; tune on a labelled (dev) split")
    ranked = sorted(scored, key=lambda p: -p[2])
    best_f1, best_t, correct = 0.0, ranked[0][2] + 1 if ranked else 0.0, 0
    for n, (q, c, s) in enumerate(ranked, 1):   # keeping the n best pairs = threshold at the n-th score
        correct += (q, c) in gold
        f1 = 2 * correct / (n + len(gold))
        if f1 > best_f1 and (n == len(ranked) or ranked[n][2] < s):
            best_f1, best_t = f1, s
    return best_t, 100 * best_f1


def _kind(ex: dict) -> str:
    return ex.get("kind", "query")


class Retrieval(TaskType):
    """Queries and candidates become one feature each; "pair" examples a feature with a positive text too."""

    name = "retrieval"

    def featurize(self, spec, examples, tokenizer, max_length, doc_stride=128):
        if not examples:  # tokenizers fail on an empty batch
            return []
        enc = tokenizer([ex["text"] for ex in examples], truncation=True, max_length=max_length)
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

    def build_head(self, spec, hidden_size):
        default_layer = None if spec.train_source is None else -1
        opts = spec.retrieval
        return RetrievalHead(layer=default_layer if opts.layer is None else opts.layer,
                             pooling=opts.pooling or "mean", temperature=opts.temperature)

    def forward(self, encoder, head, batch):
        def embed(prefix):
            states = run_encoder(encoder, batch, prefix=prefix, all_layers=True)
            return head(states, batch[prefix + "attention_mask"])

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
        q = [i for i in index if _kind(examples[i]) == "query"]
        c = [i for i in index if _kind(examples[i]) == "candidate"]
        pos = {i: n for n, i in enumerate(index)}
        if not q or not c:
            raise UserError("retrieval decode needs both 'query' and 'candidate' examples")
        return (q, emb[[pos[i] for i in q]]), (c, emb[[pos[i] for i in c]])

    def decode(self, spec, examples, features, outputs):
        """Tatoeba (accuracy): nearest candidate id per query; BUCC: mined (query, candidate) pairs above the
        threshold; otherwise the top_k (20) candidate ids per query, best first."""
        (q, q_emb), (c, c_emb) = self._split(examples, features, outputs)
        q_ids, c_ids = [examples[i]["id"] for i in q], [examples[i]["id"] for i in c]
        if spec.metric == "accuracy":
            return [c_ids[row[0]] for row in top_candidates(q_emb, c_emb, 1)[1].tolist()]
        if spec.metric == "bucc_f1":
            scored = mine_pairs(q_ids, c_ids, q_emb, c_emb, spec.retrieval.margin_k)
            threshold = spec.retrieval.threshold
            if threshold is None:  # tune on these examples when labelled (optimistic: prefer a dev threshold)
                gold = self._gold_pairs(examples, required=False)
                threshold = tune_threshold(scored, gold)[0] if gold else 1.0  # margin 1 = no better than its kNN
            return [(a, b) for a, b, s in scored if s >= threshold]
        top = top_candidates(q_emb, c_emb, spec.retrieval.top_k)[1].tolist()
        return [[c_ids[j] for j in row] for row in top]

    def tune_bucc_threshold(self, spec, examples, features, outputs) -> float:
        """The margin threshold with the best F1 on labelled (dev) examples; evaluate the test split with
        dataclasses.replace(spec, retrieval=dataclasses.replace(spec.retrieval, threshold=it)), as XTREME's BUCC
        baseline does."""
        (q, q_emb), (c, c_emb) = self._split(examples, features, outputs)
        scored = mine_pairs([examples[i]["id"] for i in q], [examples[i]["id"] for i in c], q_emb, c_emb,
                            spec.retrieval.margin_k)
        return tune_threshold(scored, self._gold_pairs(examples, required=False))[0]

    def _gold_pairs(self, examples, required=True) -> set[tuple[str, str]]:
        queries = [ex for ex in examples if _kind(ex) == "query"]
        if required and any(not ex.get("gold") for ex in queries):
            raise UserError("retrieval: some queries have no 'gold' ids; score on a labelled split")
        return {(ex["id"], g) for ex in queries for g in ex.get("gold") or []}

    def references(self, spec, examples):
        """Gold per query: its candidate id (accuracy), gold id lists (ranking), or all gold pairs (BUCC)."""
        if spec.metric == "bucc_f1":  # most BUCC sentences have no translation: only the pairs are gold
            gold = self._gold_pairs(examples, required=False)
            if not gold:
                raise UserError(f"{spec.name}: no gold pairs; score on a labelled split")
            return sorted(gold)
        self._gold_pairs(examples)
        golds = [list(ex["gold"]) for ex in examples if _kind(ex) == "query"]
        return [g[0] for g in golds] if spec.metric == "accuracy" else golds

    def score(self, spec, predictions, examples, lang):
        return metric_scores(spec, predictions, self.references(spec, examples), lang)

    def example_scores(self, spec, predictions, examples, lang):
        return metric_example_scores(spec, predictions, self.references(spec, examples), lang)

"""Similarity search and BUCC bitext mining on sentence embeddings, as XTREME's third_party/utils_retrieve.py.

XTREME mines BUCC (utils_retrieve.mine_bitext with its defaults: mode "mine", retrieval "max", margin
"ratio", neighbourhood 4) in four steps, which mine_bitext follows:
1. identical sentences are embedded once (text_load_unify); every side is L2-normalised;
2. each source's k nearest targets by cosine and each target's k nearest sources, with the mean
   similarity of those neighbours (knn both directions);
3. every neighbour pair is scored by the ratio margin cos(x, y) / ((knn_mean(x) + knn_mean(y)) / 2)
   (Artetxe & Schwenk 2019); each source keeps its best-scored neighbour (forward) and each target its
   best source (backward);
4. "max": all forward and backward candidates, best score first, are kept greedily while neither the
   source nor the target was kept before, so the result is one-to-one.
The threshold is then tuned on labelled (dev) pairs (utils_retrieve.bucc_optimize: best F1, threshold
halfway to the next score) and pairs scoring at least it are kept (bucc_extract); XTREME's evaluation maps
sentences back to ids and drops sentences that occur twice in a side (read_sent2id), and so do we.
"""

from __future__ import annotations

import torch

from intermezzo.errors import UserError

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
    """Forward only: each query's best candidate of the whole pool by ratio margin, as (query id,
    candidate id, margin); k=0 scores plain cosine. Not one-to-one: BUCC is mined with mine_bitext."""
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


def _unify(texts: list[str] | None, n: int) -> tuple[list[int], list[int]]:
    """(row of each distinct text's first occurrence, distinct index of every row), as text_load_unify."""
    if texts is None:
        return list(range(n)), list(range(n))
    first: dict[str, int] = {}
    index = [first.setdefault(t, len(first)) for t in texts]
    rows = [0] * len(first)
    for row, i in reversed(list(enumerate(index))):
        rows[i] = row
    return rows, index


def _best_neighbour(x, y, x_mean, y_mean, k: int, chunk: int):
    """For each row of x: (its best-margin neighbour among its k cosine-nearest in y, that margin)."""
    best_j, best_s = [], []
    for i in range(0, len(x), chunk):
        sim, ind = (x[i:i + chunk] @ y.T).topk(k, dim=1)
        score = sim / ((x_mean[i:i + chunk, None] + y_mean[ind]) / 2) if x_mean is not None else sim
        top = score.max(dim=1)
        best_j.append(ind.gather(1, top.indices[:, None])[:, 0])
        best_s.append(top.values)
    return torch.cat(best_j), torch.cat(best_s)


def mine_bitext(source_ids, target_ids, sources: torch.Tensor, targets: torch.Tensor, k: int = 4,
                source_texts: list[str] | None = None, target_texts: list[str] | None = None,
                chunk: int = CHUNK) -> list[tuple[str, str, float]]:
    """One-to-one (source id, target id, ratio margin) candidates, best first, as XTREME mines BUCC (see the
    module docstring); k=0 scores plain cosine (utils_retrieve's "absolute" margin) over the nearest target."""
    if not len(sources) or not len(targets):
        return []
    s_rows, s_index = _unify(source_texts, len(sources))
    t_rows, t_index = _unify(target_texts, len(targets))
    x = torch.nn.functional.normalize(sources[s_rows].float(), dim=-1)
    y = torch.nn.functional.normalize(targets[t_rows].float(), dim=-1)
    x_mean = y_mean = None
    if k > 0:
        x_mean, y_mean = knn_mean(x, y, k, chunk), knn_mean(y, x, k, chunk)
    fwd_j, fwd_s = _best_neighbour(x, y, x_mean, y_mean, min(max(k, 1), len(y)), chunk)
    bwd_i, bwd_s = _best_neighbour(y, x, y_mean, x_mean, min(max(k, 1), len(x)), chunk)
    candidates = [(i, j, s) for i, (j, s) in enumerate(zip(fwd_j.tolist(), fwd_s.tolist()))]
    candidates += [(i, j, s) for j, (i, s) in enumerate(zip(bwd_i.tolist(), bwd_s.tolist()))]
    candidates.sort(key=lambda c: -c[2])  # stable: a tie keeps the forward candidate first
    # Sentences that occur twice in a side have no single id (read_sent2id drops them).
    s_ids, t_ids = _unique_ids(source_ids, s_index, len(s_rows)), _unique_ids(target_ids, t_index, len(t_rows))
    seen_s, seen_t, mined = set(), set(), []
    for i, j, score in candidates:
        if i in seen_s or j in seen_t:
            continue
        seen_s.add(i)
        seen_t.add(j)
        if s_ids[i] is not None and t_ids[j] is not None:
            mined.append((s_ids[i], t_ids[j], score))
    return mined


def _unique_ids(ids, index: list[int], n: int) -> list:
    owners: list[list] = [[] for _ in range(n)]
    for row, i in enumerate(index):
        owners[i].append(ids[row])
    return [o[0] if len(o) == 1 else None for o in owners]


def tune_threshold(scored: list[tuple[str, str, float]], gold: set[tuple[str, str]],
                   midpoint: bool = False) -> tuple[float, float]:
    """The score threshold whose kept pairs (score >= it) have the best F1 against `gold`, and that F1
    (0-100). midpoint: halfway to the next lower score, as utils_retrieve.bucc_optimize sets it."""
    if not gold:
        raise UserError("tune_threshold: no gold pairs; tune on a labelled (dev) split")
    ranked = sorted(scored, key=lambda p: -p[2])
    best_f1, best_t, correct = 0.0, ranked[0][2] + 1 if ranked else 0.0, 0
    for n, (q, c, s) in enumerate(ranked, 1):   # keeping the n best pairs = threshold at the n-th score
        correct += (q, c) in gold
        f1 = 2 * correct / (n + len(gold))
        if f1 > best_f1 and (n == len(ranked) or ranked[n][2] < s):
            best_f1, best_t = f1, (s + ranked[n][2]) / 2 if midpoint and n < len(ranked) else s
    return best_t, 100 * best_f1

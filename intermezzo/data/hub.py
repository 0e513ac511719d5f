"""Hugging Face hub loading: `datasets.load_dataset` of the spec's HubSource, rows turned into canonical examples
by the task's layout (ClassLabel integers first turned into their names, so layouts see strings).

An unreachable hub fails in seconds: one short connection probe, then the datasets library in offline mode
(a cached copy still loads), instead of its retries with back-off (about 25 s).
"""

from __future__ import annotations

import contextlib
import inspect
import socket
from urllib.parse import urlparse

from intermezzo.data.layouts import layout_of
from intermezzo.errors import UserError
from intermezzo.tasks.spec import HubSource, TaskSpec

PROBE_TIMEOUT = 3.0  # seconds to open a connection to the hub before calling it unreachable


def _named(ds) -> list[dict]:
    """Rows as dicts with ClassLabel integers replaced by their names (sequences of them too)."""
    import datasets

    rows = ds.to_list()
    for col, feat in ds.features.items():
        inner = getattr(feat, "feature", None)
        if isinstance(feat, datasets.ClassLabel):
            for r in rows:
                r[col] = feat.int2str(r[col]) if r[col] is not None and r[col] >= 0 else -1
        elif isinstance(inner, datasets.ClassLabel) or (isinstance(feat, list) and feat
                                                         and isinstance(feat[0], datasets.ClassLabel)):
            names = inner if inner is not None else feat[0]
            for r in rows:
                r[col] = [names.int2str(v) for v in r[col]]
    return rows


def hub_reachable(timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a TCP connection to the hub's endpoint opens within `timeout` seconds."""
    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def _offline():
    """The datasets and huggingface_hub libraries in offline mode (cache only) for the duration."""
    import datasets
    from huggingface_hub import constants

    saved = datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE
    datasets.config.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        datasets.config.HF_HUB_OFFLINE, constants.HF_HUB_OFFLINE = saved


def _fetch(hub_id: str, config: str | None, split: str, trust_remote_code: bool, reachable: bool):
    import datasets

    kwargs = {}
    if trust_remote_code:
        if "trust_remote_code" not in inspect.signature(datasets.load_dataset).parameters:
            raise UserError(f"{hub_id}: this datasets version ({datasets.__version__}) cannot run dataset "
                            "scripts; download the official files and pass their folder as the source")
        kwargs["trust_remote_code"] = True
    try:
        with contextlib.nullcontext() if reachable else _offline():
            return datasets.load_dataset(hub_id, None if config == "default" else config, split=split, **kwargs)
    except Exception as e:  # the hub raises many types (connection, offline mode, missing config); one line each
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        why = "" if reachable else f"no connection to the hub within {PROBE_TIMEOUT:g} s and no cached copy; "
        raise UserError(f"hub {hub_id}/{config or ''} split {split}: the Hugging Face hub is unreachable or "
                        f"refused ({why}{type(e).__name__}: {first}); download the official files and pass their "
                        "folder (or a .jsonl of canonical examples) as the source instead of 'hub'") from None


def _rows(source: HubSource, split: str, lang: str, trust_remote_code: bool, reachable: bool) -> list[dict]:
    """The rows of one hub dataset's split ("a+b" splits read one after the other)."""
    config = source.config.format(lang=source.lang(lang))
    rows = []
    for part in source.split(split).split("+"):
        rows += _named(_fetch(source.id, config, part, trust_remote_code, reachable))
    return rows


def load_hub(spec: TaskSpec, split: str, lang: str, trust_remote_code: bool = False,
             limit: int | None = None) -> list[dict]:
    """Canonical examples of (spec, split, lang) from the Hugging Face hub (at least the first `limit`)."""
    layout = layout_of(spec)
    if layout.hub_refusal:
        raise UserError(f"task {spec.name}: not from the hub: {layout.hub_refusal}")
    if spec.hub is None:
        raise UserError(f"task {spec.name}: no Hugging Face copy; download the official files (see docs/tasks.md) "
                        "and pass their folder as the source")
    import datasets
    from huggingface_hub import constants

    # Already offline (cache only): no probe. Otherwise an unreachable hub switches to the cache at once.
    reachable = datasets.config.HF_HUB_OFFLINE or constants.HF_HUB_OFFLINE or hub_reachable()
    hub, sources = spec.hub, spec.hub.parts or (spec.hub,)
    if limit is not None and hub.filter is None and not hub.parts and spec.type != "retrieval":
        # Rows map one to one: fetch only what is kept.
        hub = HubSource(hub.id, hub.config, hub.langs, {split: f"{hub.split(split)}[:{limit}]"}, columns=hub.columns)
        sources = (hub,)
    rows = [r for source in sources for r in _rows(source, split, lang, trust_remote_code, reachable)]
    if hub.filter == "language":
        rows = [r for r in rows if r.get("language") == lang]
    elif hub.filter == "id_prefix":
        rows = [r for r in rows if str(r.get("id", "")).startswith(f"{hub.lang(lang)}-")]
    return layout.from_hub(spec, rows, split, lang)

"""TaskSpec: a benchmark task as data, in typed parts. Its type (intermezzo.types) and its on-disk layout
(intermezzo.data.layouts) own the behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def _mapping():
    # Mappings are compared but not hashed (a dict has no hash); specs stay usable as dict keys.
    return field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class HubSource:
    """A task's copy on the Hugging Face hub and how its names map to ours."""

    id: str                                  # dataset id, e.g. "google/xtreme"
    config: str = "default"                  # config name; "{lang}" is filled with langs.get(lang, lang)
    langs: Mapping[str, str] = _mapping()    # our language code -> the hub's ("de" -> "German", "zh" -> "cmn")
    splits: Mapping[str, str] = _mapping()   # our split -> the hub's; "a+b" reads both, in order
    filter: str | None = None                # one config holds every language: keep rows by "language" column,
                                             # or by "id_prefix" (ids start with the hub's language name)
    columns: Mapping[str, str] = _mapping()  # canonical key -> hub column, where the layout's default differs
    parts: tuple[HubSource, ...] = ()        # several datasets joined into one task (anli_plus), in order

    def lang(self, lang: str) -> str:
        """The hub's name of our language code."""
        return self.langs.get(lang, lang)

    def split(self, split: str) -> str:
        """The hub's name of our split."""
        return self.splits.get(split, split)


@dataclass(frozen=True)
class RetrievalOptions:
    """How a retrieval task embeds and ranks; None = the retrieval type's documented default."""

    layer: int | None = None        # hidden_states index to pool (None: middle layer unscored, last fine-tuned)
    pooling: str | None = None      # "mean" or "cls" (None: mean)
    temperature: float = 0.05       # contrastive training
    top_k: int = 20                 # ranked candidates kept per query (mrr@20, map@20)
    threshold: float | None = None  # BUCC margin threshold (None: tuned on the dev split)
    margin_k: int = 4               # BUCC's k nearest neighbours of the ratio margin; 0 = plain cosine


@dataclass(frozen=True)
class TaskSpec:
    """Everything intermezzo needs to know about one task; no behaviour lives here."""

    name: str
    type: str                      # key of intermezzo.types.TYPES
    langs: tuple[str, ...]         # official evaluation languages (XTREME-R's where the versions differ)
    metric: str                    # key of intermezzo.metrics.METRICS
    citation: str
    train_source: str | None = None  # task whose English train split trains this one; None = scored from an encoder
    train_lang: str = "en"
    hub: HubSource | None = None   # the Hugging Face copy; None = local files only
    layout: str | None = None      # key of intermezzo.data.layouts.LAYOUTS (the official on-disk format);
                                   # None = canonical `{split}-{lang}.jsonl` files only
    files: Mapping[str, str] = _mapping()  # split -> file pattern under the task folder where the layout's
                                           # default differs ({lang}; {split} is the on-disk name, dev for validation)
    fields: tuple[str, ...] = ()    # text fields of an example (classification: 1 or 2; the rest: type-defined)
    labels: tuple[str, ...] = ()    # label set (classification, tagging); empty where the type needs none
    benchmarks: tuple[str, ...] = ()  # which of "xtreme", "xtreme-r" score this task
    group: str | None = None        # the benchmark group it is averaged into
    # Where a benchmark's official scorer averages the task into other groups than (group,): XTREME-R puts
    # XCOPA in "classification" and "multi_choice", and LAReQA in none.
    benchmark_groups: Mapping[str, tuple[str, ...]] = _mapping()
    xtreme_langs: tuple[str, ...] = ()  # XTREME's language list where it differs from `langs`
    splits: tuple[str, ...] = ("train", "validation", "test")
    notes: str = ""
    columns: Mapping[str, str] = _mapping()  # canonical key -> header column of a TSV with a header row (GLUE)
    n_choices: int | None = None    # multiple_choice: choices per item
    unknown_tag: str | None = None  # tagging: what tags outside `labels` map to (CCG's UNK); None = an error
    version_2_with_negative: bool = False  # extractive_qa: unanswerable questions (SQuAD 2.0's flag name)
    retrieval: RetrievalOptions = RetrievalOptions()
    # Tasks trained in stages, in order (XTREME-R trains XCOPA on SIQA, then COPA); empty = (train_source,).
    train_sequence: tuple[str, ...] = ()
    # True when the test sets of all languages translate the same items, so `id` names one item across
    # languages (statistics then resample an item in every language at once).
    parallel: bool = False

    @property
    def training_sources(self) -> tuple[str, ...]:
        """The tasks whose English training data train this one, in the order they are trained."""
        if self.train_sequence:
            return self.train_sequence
        return (self.train_source,) if self.train_source else ()

    def benchmark_langs(self, benchmark: str) -> tuple[str, ...]:
        """The languages `benchmark` scores this task on ("xtreme" may list fewer than `langs`)."""
        return (self.xtreme_langs or self.langs) if benchmark == "xtreme" else self.langs

    def groups_in(self, benchmark: str) -> tuple[str, ...]:
        """The groups `benchmark`'s official scorer averages this task into."""
        if benchmark not in self.benchmarks:
            return ()
        return self.benchmark_groups.get(benchmark, (self.group,) if self.group else ())

"""TaskSpec: a benchmark task as data. Its type (intermezzo.types) owns the behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TaskSpec:
    """Everything intermezzo needs to know about one task; no behaviour lives here."""

    name: str
    type: str                      # key of intermezzo.types.TYPES
    langs: tuple[str, ...]         # official evaluation languages
    metric: str                    # key of intermezzo.metrics.METRICS
    citation: str
    train_source: str | None = None  # task whose English train split trains this one; None = scored from an encoder
    train_lang: str = "en"
    hub: tuple[str, str] | None = None  # (dataset id, config name; '{lang}' is filled in)
    reader: str | None = None       # key of intermezzo.data.readers.READERS for the official on-disk layout
    fields: tuple[str, ...] = ()    # text fields of an example (classification: 1 or 2; the rest: type-defined)
    labels: tuple[str, ...] = ()    # label set (classification, tagging); empty where the type needs none
    benchmarks: tuple[str, ...] = ()  # which of "xtreme", "xtreme-r" score this task
    group: str | None = None        # the benchmark group it is averaged into
    splits: tuple[str, ...] = ("train", "validation", "test")
    notes: str = ""
    # Tasks trained in stages, in order (XTREME-R trains XCOPA on SIQA, then COPA); empty = (train_source,).
    train_sequence: tuple[str, ...] = ()
    # True when the test sets of all languages translate the same items, so `id` names one item across
    # languages (statistics then resample an item in every language at once).
    parallel: bool = False
    extra: dict = field(default_factory=dict, hash=False, compare=False)  # type-specific settings

    @property
    def training_sources(self) -> tuple[str, ...]:
        """The tasks whose English training data train this one, in the order they are trained."""
        if self.train_sequence:
            return self.train_sequence
        return (self.train_source,) if self.train_source else ()

"""Task types: TYPES maps a type name to the object that owns its behaviour."""

from __future__ import annotations

from intermezzo.types.base import TaskType
from intermezzo.types.classification import Classification
from intermezzo.types.extractive_qa import ExtractiveQA
from intermezzo.types.multiple_choice import MultipleChoice
from intermezzo.types.retrieval import Retrieval
from intermezzo.types.tagging import Tagging

TYPES: dict[str, TaskType] = {t.name: t for t in (Classification(), MultipleChoice(), Tagging(), ExtractiveQA(),
                                                  Retrieval())}

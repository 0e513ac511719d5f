"""Task types: TYPES maps a type name to the object that owns its behaviour."""

from __future__ import annotations

from intermezzo.types.base import TaskType

TYPES: dict[str, TaskType] = {}

"""A small shipped XTREME-R submission (predictions and labels) to try `intermezzo score --example` on."""

from pathlib import Path

SUBMISSION = Path(__file__).parent / "submission"

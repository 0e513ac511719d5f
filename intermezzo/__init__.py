"""intermezzo: intermediate-task training for zero-shot cross-lingual transfer, with multilingual noise."""

__version__ = "0.1.0"

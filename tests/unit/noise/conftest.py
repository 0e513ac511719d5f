"""Lets the noise tests import their shared helpers (noise_samples.py) from this folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

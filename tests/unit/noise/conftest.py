"""Lets the noise tests import their shared helpers (noise_samples.py here, tests/support/)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[2]))

"""Multilingual input noise: pure seeded families per script, specs, suites and label-preserving example noise."""

from intermezzo.noise.examples import noise_examples
from intermezzo.noise.registry import (
    FAMILIES,
    SUITES,
    NoiseStep,
    apply_noise,
    format_noise,
    parse_noise,
    suite_specs,
    support_matrix,
    supported,
)
from intermezzo.noise.scripts import LANGS, SCRIPTS, grapheme_clusters

__all__ = ["FAMILIES", "LANGS", "SCRIPTS", "SUITES", "NoiseStep", "apply_noise", "format_noise",
           "grapheme_clusters", "noise_examples", "parse_noise", "suite_specs", "support_matrix", "supported"]

"""Multilingual input noise: pure seeded families per script, specs, suites and label-preserving example noise."""

from intermezzo.noise.draws import Streams, named_streams, spawn
from intermezzo.noise.examples import noise_examples
from intermezzo.noise.registry import (
    BATCH,
    FAMILIES,
    NOISE_VERSION,
    SUITES,
    NoiseStep,
    apply_noise,
    format_noise,
    noise_batch,
    parse_noise,
    suite_specs,
    support_matrix,
    supported,
)
from intermezzo.noise.scripts import LANGS, SCRIPTS, grapheme_clusters

__all__ = ["BATCH", "FAMILIES", "LANGS", "NOISE_VERSION", "SCRIPTS", "SUITES", "NoiseStep", "Streams",
           "apply_noise", "format_noise", "grapheme_clusters", "named_streams", "noise_batch", "noise_examples",
           "parse_noise", "spawn", "suite_specs", "support_matrix", "supported"]

"""Task specs (xtreme); filled in by the benchmark layer."""

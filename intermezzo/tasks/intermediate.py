"""Task specs (intermediate); filled in by the benchmark layer."""

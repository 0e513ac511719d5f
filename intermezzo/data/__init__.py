"""Data: file formats of the official layouts, readers, hub loading, fixtures."""

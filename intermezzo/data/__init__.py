"""Data: plain file formats, the official on-disk layouts (read and write), hub loading, fixtures."""

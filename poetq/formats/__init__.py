"""Readers and writers for the file formats Q researchers use."""

"""Use cases that join storage, analysis and formats (no Flask, no click)."""

"""Analysis commands (``poetq analyse``, ``poetq factors``, ``poetq bootstrap``)."""

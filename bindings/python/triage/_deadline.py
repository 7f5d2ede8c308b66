"""deadline: Python face of the C module (filled in when the module lands)."""

__all__ = []

"""Facts the built-in checks ship (read with importlib.resources)."""

"""The domain core: pure Python + NumPy/SciPy. Knows nothing of Flask or the database."""

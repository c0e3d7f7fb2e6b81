"""A stand-in for filelock 3.9's Unix protocol: see ../../_protocol.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from _protocol import Timeout, make  # noqa: E402

FileLock = make("3.9")
__version__ = "3.9+standin"
__all__ = ["FileLock", "Timeout", "__version__"]

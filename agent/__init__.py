"""SkyREPL's VM agent: runs one command for the control plane and streams its output back.

Standard library only, Python 3.8+ (Ubuntu focal ships 3.8). See agent/README.md.
"""

__version__ = "0.1.0"

"""Backends: emit diagrams, ASL and Python from the IR. Backends never see libcst."""

"""The TradrAPI simulator: a CFD/FX back office's REST API over the world's TradrAPI book."""

from sandbox.tradr.app import RATE_LIMIT, build_app, describe

__all__ = ["RATE_LIMIT", "build_app", "describe"]

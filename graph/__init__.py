"""Parley's graph layer: the store and its backends, IRIs, SPARQL, snapshots and analytics."""

from graph.errors import ParleyError

__all__ = ["ParleyError"]

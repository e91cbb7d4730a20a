"""The layer graph shared by every frontend, and static shape inference over it."""

from kerasfix.graph.model import Dim, Graph, Layer, Node, Shape, SourceSpan, Unknown

__all__ = ["Dim", "Graph", "Layer", "Node", "Shape", "SourceSpan", "Unknown"]

"""Diagram backends: Mermaid and Graphviz DOT text from the operation graph; SVG/PNG through `dot`."""

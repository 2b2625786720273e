"""Reusable mobjects: number grid, kernel window, formula panel, shape badge, code panel, caption, tensor stack."""

from .grid import NumberGrid, fit_cell_size, format_number
from .panels import Caption, CodePanel, FormulaPanel, ShapeBadge, shape_text
from .window import KernelWindow
from .padded import padded_grid
from .images import DigitImage, GaussianRings, LatentPlot, LatentVector, LayerBlock, flow_arrow
from .graph import GraphNode, forward_edge, gradient_edge
from .network import BlockSpec, FeatureMaps, NetworkBlock, NetworkDiagram, block_box_size, one_path
from .tensor import TensorStack

__all__ = [
    "NumberGrid",
    "fit_cell_size",
    "format_number",
    "KernelWindow",
    "FormulaPanel",
    "ShapeBadge",
    "CodePanel",
    "Caption",
    "shape_text",
    "padded_grid",
    "DigitImage",
    "LatentPlot",
    "GaussianRings",
    "LayerBlock",
    "LatentVector",
    "flow_arrow",
    "GraphNode",
    "forward_edge",
    "gradient_edge",
    "BlockSpec",
    "FeatureMaps",
    "NetworkBlock",
    "NetworkDiagram",
    "block_box_size",
    "one_path",
    "TensorStack",
]

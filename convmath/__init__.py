"""convmath: convolution arithmetic that agrees with PyTorch and Keras, numbers for the scenes."""

from .ambiguity import OutputAmbiguity, output_ambiguity
from .arithmetic import (
    ConvArithmeticError,
    conv_input_sizes,
    conv_output_size,
    output_padding_for,
    transposed_output_size,
)
from .counts import (
    ConvCounts,
    SeparableCounts,
    conv_counts,
    group_channels,
    separable_counts,
    stack_inputs,
    stack_reach,
)
from .design import design_layers
from .explain import Formula, explain_conv, explain_transposed
from .trace import (
    ConvNdTrace,
    ConvTrace,
    TransposedConvTrace,
    conv1d_trace,
    conv2d_trace,
    conv3d_trace,
    conv_matrix,
    conv_transpose2d_trace,
)

__all__ = [
    "ConvArithmeticError",
    "conv_output_size",
    "transposed_output_size",
    "conv_input_sizes",
    "output_padding_for",
    "output_ambiguity",
    "OutputAmbiguity",
    "design_layers",
    "explain_conv",
    "explain_transposed",
    "Formula",
    "conv2d_trace",
    "conv_transpose2d_trace",
    "conv_matrix",
    "ConvTrace",
    "TransposedConvTrace",
    "conv1d_trace",
    "conv3d_trace",
    "ConvNdTrace",
    "conv_counts",
    "separable_counts",
    "stack_reach",
    "stack_inputs",
    "group_channels",
    "ConvCounts",
    "SeparableCounts",
]

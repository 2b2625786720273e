"""convviz scenes: Manim only draws; every number it shows comes from convmath."""

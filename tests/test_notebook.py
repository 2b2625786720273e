"""The notebook side: convmath's displays checked against real torch ops, the magics' one-sentence errors, and
the tutorial notebook executed by a real Jupyter kernel (nbclient) with a video and a trace table in its outputs."""

from __future__ import annotations

import base64
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from codecheck import keras_module, layer_line_shapes
from convmath import ConvArithmeticError, explain_conv
from convmath.cli import main as convmath_main
from convmath.display import SizeView, TraceView, conv_view, transposed_view
from scenes.notebook import NotebookError, convmath_magic, convviz_magic, show, trace

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "examples" / "notebooks" / "tutorial.ipynb"


class Rows(HTMLParser):
    """The cells of every <tr> in an HTML table, with the row's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[dict, list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append((dict(attrs), []))
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[tuple[dict, list[str]]]:
    parser = Rows()
    parser.feed(html)
    return [row for row in parser.rows if row[0].get("class") == "convmath-step"]


class Autoencoder(nn.Module):
    def __init__(self, output_padding: int):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
                                  nn.Conv2d(4, 8, 3, stride=2, padding=1))
        self.up = nn.Sequential(nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=output_padding),
                                nn.ReLU(), nn.ConvTranspose2d(4, 1, 3, stride=2, padding=1,
                                                              output_padding=output_padding))

    def forward(self, x):
        return self.up(self.down(x))


def hooked_outputs(model: nn.Module, shape) -> list[tuple[int, ...]]:
    """The output shape of every leaf module, in call order, from real forward hooks."""
    seen = []
    leaves = [m for m in model.modules() if not any(m.children())]
    handles = [m.register_forward_hook(lambda m, a, out: seen.append(tuple(out.shape))) for m in leaves]
    with torch.no_grad():
        model(torch.zeros(shape))
    for handle in handles:
        handle.remove()
    return seen


@pytest.mark.parametrize("output_padding", [1, 0])
def test_trace_table_shows_the_real_shapes_and_highlights_the_mismatches(output_padding):
    model = Autoencoder(output_padding)
    view = trace(model, (1, 1, 28, 28))
    rows = table_rows(view._repr_html_())
    real = hooked_outputs(model, (1, 1, 28, 28))
    assert [cells[4] for _, cells in rows] == ["×".join(map(str, s)) for s in real]
    highlighted = [int(attrs["data-index"]) for attrs, _ in rows if "background" in attrs.get("style", "")]
    if output_padding == 1:
        assert view.ok and not highlighted and "mismatch" not in view._repr_html_()
    else:  # both transposed convs fall short: 7 -> 13 (not 14), 13 -> 25 (not 28)
        assert real[-1] == (1, 1, 25, 25)
        assert highlighted == [m["step"] for m in view.mismatches] and len(highlighted) == 2
        assert all(rows[i][1][2] == "ConvTranspose2d" for i in highlighted)
        assert view._repr_html_().count('class="convmath-mismatch"') == 2
        assert "output_padding=1" in repr(view)


def test_trace_table_formulas_are_latex_with_the_plain_text_beside_them():
    html = trace(Autoencoder(1), (1, 1, 28, 28))._repr_html_()
    first = explain_conv((28, 28), 3, stride=2, padding=1)[0]
    assert f"\\({first.latex_symbolic} = {first.latex}\\)" in html.replace("&amp;", "&")
    assert first.text in html and "<script>" in html


def test_names_from_the_model_are_escaped_in_the_table():
    hostile = "<img src=x onerror=alert(1)>"
    model = nn.ModuleDict({hostile: nn.Conv2d(1, 1, 3)})
    model.forward = lambda x: model[hostile](x)
    html = trace(model, (1, 1, 5, 5))._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_failed_forward_is_said_under_the_table():
    steps = trace(Autoencoder(1), (1, 1, 28, 28)).data["steps"][:3]
    view = TraceView({"steps": steps, "mismatches": [],
                      "failure": {"step": 3, "message": "cat of 13×13 and 14×14 fails.", "fix": "Set output_padding=1."}})
    assert not view.ok and "the forward failed" in view.summary()
    html = view._repr_html_()
    assert 'class="convmath-failure"' in html and "cat of 13×13 and 14×14 fails. Set output_padding=1." in html
    assert len(table_rows(html)) == 3


def test_a_notebook_factory_that_fails_is_named_as_the_notebook_names_it():
    def make(channels):
        return nn.Conv2d(channels, 1, 3)

    with pytest.raises(NotebookError) as caught:
        convmath_magic("trace make --input-shape 1,1,8,8", {"make": make})
    assert "'make'" in str(caught.value) and "convviz_notebook_models" not in str(caught.value)


def test_a_model_that_refuses_the_input_shows_the_failure_and_its_fix():
    view = trace(Autoencoder(1), (1, 3, 28, 28))  # 3 channels into a Conv2d(1, ...)
    failure = view.data["failure"]
    assert failure["where"] == "down.0" and failure["message"] in view._repr_html_().replace("&#x27;", "'")
    model = Autoencoder(1)
    fixed = nn.Conv2d(failure["fix"]["in_channels"], 4, 3, stride=2, padding=1)  # the suggested fix, applied
    model.down[0] = fixed
    assert tuple(model(torch.zeros(1, 3, 28, 28)).shape) == (1, 1, 28, 28)


def _view_and_torch(make_view, layer: nn.Module, i: int, refusal) -> tuple:
    """The view and the torch layer's output size on an i×i input; (None, None) when convmath refuses the
    numbers, after checking that torch refuses them too (raises ``refusal``, or gives an empty tensor where
    convmath refuses an output size of 0)."""
    try:
        view = make_view()
    except ConvArithmeticError:
        try:
            shape = layer(torch.zeros(1, 1, i, i)).shape
        except refusal:
            return None, None
        assert 0 in shape, shape
        return None, None
    return view, tuple(layer(torch.zeros(1, 1, i, i)).shape[2:])


@settings(max_examples=40, deadline=None)
@given(i=st.integers(1, 20), k=st.integers(1, 5), s=st.integers(1, 3), p=st.integers(0, 2), d=st.integers(1, 2))
def test_conv_view_size_equals_torch(i, k, s, p, d):
    view, out = _view_and_torch(lambda: conv_view(i, k, stride=s, padding=p, dilation=d), nn.Conv2d(1, 1, k, s, p, d),
                                i, RuntimeError)
    if view is None:
        return
    assert view.output == out
    assert f"output size {out[0]}×{out[1]}" in view._repr_html_()
    assert view._repr_latex_().endswith(f"= {out[0]}$$")
    got, claimed = layer_line_shapes(view.code[0][1])  # the layer shown, built and run in torch
    assert got == claimed == (1, 1, *out)


@settings(max_examples=40, deadline=None)
@given(i=st.integers(1, 10), k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 2), a=st.integers(0, 2))
def test_transposed_view_size_equals_torch(i, k, s, p, a):
    view, out = _view_and_torch(lambda: transposed_view(i, k, stride=s, padding=p, output_padding=a),
                                nn.ConvTranspose2d(1, 1, k, s, p, output_padding=a), i, (RuntimeError, ValueError))
    if view is None:
        return
    assert view.output == out and f"output size {out[0]}×{out[1]}" in view._repr_html_()


@pytest.mark.parametrize("size, stride, padding", [(28, 2, "same"), (7, 3, "valid"), ((9, 10), 2, "same")])
def test_keras_views_equal_the_keras_layers(size, stride, padding):
    keras = keras_module()
    view = conv_view(size, 3, stride=stride, padding=padding, convention="keras")
    got, claimed = layer_line_shapes(view.code[0][1])
    assert view.code[0][0] == "Keras" and got == claimed and got[1:3] == view.output
    up = transposed_view(view.output, 3, stride=stride, padding=padding, output_padding=None, convention="keras")
    layer = keras.layers.Conv2DTranspose(1, 3, strides=stride, padding=padding)
    assert tuple(layer(keras.ops.zeros((1, *view.output, 1))).shape[1:3]) == up.output


def test_the_command_json_and_the_python_view_agree(capsys):
    assert convmath_main(["conv", "28,27", "-k", "3", "-s", "2", "-p", "1", "--json"]) == 0
    from_command = SizeView.from_json(capsys.readouterr().out)
    assert from_command == conv_view((28, 27), 3, stride=2, padding=1)
    assert from_command.output == tuple(nn.Conv2d(1, 1, 3, 2, 1)(torch.zeros(1, 1, 28, 27)).shape[2:])
    assert "axis 1:" in repr(from_command) and r"\begin{gathered}" in from_command._repr_latex_()


def test_convmath_magic_answers_like_the_command(capsys):
    view = convmath_magic("transpose 7 -k 3 -s 2 -p 1 -a 1")
    assert isinstance(view, SizeView) and view.output == (14, 14)
    assert convmath_main(["transpose", "7", "-k", "3", "-s", "2", "-p", "1", "-a", "1"]) == 0
    assert repr(view) == capsys.readouterr().out.rstrip("\n")  # the same text as the command
    assert "output_padding=1" in repr(convmath_magic("ambiguity 3 -k 3 -s 2"))


@pytest.mark.parametrize("magic, line, start", [
    (convmath_magic, "conv 5 -k 9", "convmath conv: "),
    (convmath_magic, "conv 5", "convmath conv: "),
    (convmath_magic, "conv 5 -k 3 -s 0", "convmath conv: "),
    (convmath_magic, "trace nowhere:build --input-shape 1,1,8,8", "convmath trace: "),
    (convviz_magic, "render ConvArithmetic --set stride=0", "convviz: "),
    (convviz_magic, "render NoSuchScene", "convviz: "),
    (convviz_magic, "render ConvArithmetic --set 'stride", "cannot read the line"),
    (convviz_magic, "render ConvArithmetic -q x", "convviz render: error: argument -q/--quality: invalid choice"),
    (convviz_magic, "", "convviz: error: the following arguments are required"),
])
def test_magics_refuse_bad_input_with_one_sentence_and_write_nothing(magic, line, start, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotebookError) as caught:
        magic(line)
    message = str(caught.value)
    assert message.startswith(start) and "\n" not in message and "Traceback" not in message
    assert caught.value._render_traceback_() == [f"\x1b[31m{message}\x1b[0m"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.render
def test_render_magic_writes_the_command_file_at_480p_and_embeds_it(tmp_path):
    video = convviz_magic(f"render TransposedConvScatter --set stride=2 --out {tmp_path}")
    written = list(tmp_path.iterdir())
    assert [p.name for p in written] == ["TransposedConvScatter_stride-2_480p15.mp4"]
    assert video.data == written[0].read_bytes() and video.data[4:8] == b"ftyp"
    html = video._repr_html_()
    assert html.startswith("<video controls") and base64.b64decode(html.split("base64,")[1].split('"')[0]) == video.data


def test_show_refuses_a_bad_value_before_rendering(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotebookError, match=r"^convviz: .*kernel 9") as caught:
        show("ConvArithmetic", input_size=6, kernel_size=9)
    assert "\n" not in str(caught.value) and list(tmp_path.iterdir()) == []
    with pytest.raises(NotebookError, match="quality"):
        show("ConvArithmetic", quality="x")


def test_extension_registers_magics_and_latex_for_formulas():
    shell = pytest.importorskip("IPython.core.interactiveshell").InteractiveShell.instance()
    shell.run_line_magic("load_ext", "scenes.notebook")
    formats, _ = shell.display_formatter.format(explain_conv(5, 3, stride=2))
    assert formats["text/latex"].startswith("$$o = ") and formats["text/latex"].endswith("= 2$$")
    shell.user_ns["net"] = Autoencoder(0)
    view = shell.run_line_magic("convviz", "trace net --input-shape 1,1,28,28")
    assert isinstance(view, TraceView) and len(view.mismatches) == 2
    assert shell.run_line_magic("convmath", "conv 5 -k 3").output == (3, 3)


# --- the tutorial, executed by a real kernel -----------------------------------------------------------------


def _outputs(notebook) -> list[tuple[dict, dict]]:
    return [(cell, out) for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


@pytest.mark.render
def test_tutorial_runs_in_a_real_kernel_with_a_video_and_trace_tables(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(TUTORIAL, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), \
        "the committed tutorial is stored without outputs"
    # the kernel imports this checkout's convmath and scenes
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = _outputs(notebook)
    errors = [(cell, out) for cell, out in outputs if out.output_type == "error"]
    assert [c.metadata.get("tags") for c, _ in errors] == [["raises-exception"]]
    assert len(errors[0][1].traceback) == 1 and "kernel 9" in errors[0][1].evalue
    html = [out.data["text/html"] for _, out in outputs if "text/html" in out.get("data", {})]
    videos = [h for h in html if "<video" in h]
    assert len(videos) == 1
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", videos[0]).group(1))
    assert data[4:8] == b"ftyp" and len(data) > 10_000
    tables = [h for h in html if 'class="convmath-trace"' in h]
    assert len(tables) == 2
    clean, broken = (table_rows(t) for t in tables)
    assert clean[-1][1][4] == "1×1×28×28" and broken[-1][1][4] == "1×1×25×25"
    assert 'class="convmath-mismatch"' in tables[1] and 'class="convmath-mismatch"' not in tables[0]
    assert any("text/latex" in out.get("data", {}) for _, out in outputs)
    assert list(tmp_path.iterdir()) == []  # show() keeps nothing on disk
    if os.environ.get("CONVVIZ_NOTEBOOK_OUT"):  # keep the executed notebook, e.g. to export and look at it
        nbformat.write(notebook, os.environ["CONVVIZ_NOTEBOOK_OUT"])

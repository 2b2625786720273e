"""Palette and fonts. Every colour a scene uses comes from here; one meaning per colour."""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["Theme", "LIGHT", "DARK", "THEMES", "get_theme", "overlay_theme", "use_theme", "current_theme", "MIN_FONT_SIZE",
           "GLYPH_HEIGHT", "glyph_pixels"]

# Readability floor: no text on screen smaller than MIN_FONT_SIZE (Manim font size, after any scaling).
# A digit or capital of the sans font is GLYPH_HEIGHT × font_size Manim units tall, and the frame is 8 units
# tall, so at the floor a digit is 0.147 units: 1/54 of the picture's height (8.8 px at 480p, 13 px at 720p,
# 20 px at 1080p). From a seat 8 picture heights away (the usual farthest seat of a lecture hall) that glyph
# spans 8 arcminutes, above the 5 arcminutes of a letter on the 20/20 line of an eye chart; and 13 px at 720p
# is enough for a digit to be drawn clearly.
MIN_FONT_SIZE = 14
GLYPH_HEIGHT = 0.0105  # Manim units per point of font size (DejaVu Sans digits and capitals)


@dataclass(frozen=True)
class Theme:
    """Colours by meaning, not by hue: ``input`` is always the input grid, ``kernel`` the weights ..."""

    name: str
    background: str
    text: str
    muted: str          # secondary labels, faint zeros, arrows
    input: str          # input feature map
    kernel: str         # kernel / weights / window
    output: str         # output feature map
    padding: str        # padding ring (dashed)
    inserted: str       # zeros inserted between input cells (hollow)
    highlight: str      # the one thing to look at now (uncovered rows, output_padding ...)
    latent: str         # latent vectors / bottleneck / samples
    cell_fill_opacity: float
    font: str = "DejaVu Sans"
    panel_opacity: float = 0.9  # a panel's background; 0 in a transparent render (an overlay shows what is behind)
    titles: bool = True         # the scene's own heading (a slide that has its own leaves it out)
    captions: bool = True       # the caption line at the bottom
    mono_font: str = "DejaVu Sans Mono"
    # one colour per class label (digits 0-9 in latent scatter plots); categorical, no other meaning
    # (4 is gold and 6 dark teal: the usual purple and pink would read as the latent and highlight roles)
    classes: tuple[str, ...] = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#E6B800",
                                "#8C564B", "#00666A", "#7F7F7F", "#BCBD22", "#17BECF")

    def role_color(self, role: str) -> str:
        """The colour for a role name: 'input', 'kernel', 'output', 'padding', 'inserted', 'highlight', 'latent'."""
        try:
            return getattr(self, role)
        except AttributeError:
            raise ValueError(f"role={role!r} is unknown: use one of {', '.join(ROLES)}.") from None


ROLES = ("input", "kernel", "output", "padding", "inserted", "highlight", "latent")

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#1F2328",
    muted="#6E7781",
    input="#1F6FEB",
    kernel="#D9480F",
    output="#1A7F37",
    padding="#8C959F",
    inserted="#8C959F",
    highlight="#C2185B",
    latent="#8250DF",
    cell_fill_opacity=0.18,
)

DARK = Theme(
    name="dark",
    background="#0D1117",
    text="#E6EDF3",
    muted="#8B949E",
    input="#58A6FF",
    kernel="#FF8A4C",
    output="#3FB950",
    padding="#8B949E",
    inserted="#8B949E",
    highlight="#FF6BA6",
    latent="#BC8CFF",
    cell_fill_opacity=0.28,
    classes=("#4E9BE6", "#FFA04D", "#5CC85C", "#FF6B6B", "#FFD43B",
             "#C49A82", "#2AA198", "#B0B0B0", "#A3A32A", "#3FD4E6"),
)

THEMES = {t.name: t for t in (LIGHT, DARK)}
_current = LIGHT


def get_theme(name: str) -> Theme:
    """The theme called ``name`` ('light' or 'dark')."""
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"theme={name!r} is unknown: use 'light' or 'dark'.") from None


def overlay_theme(theme: Theme, *, transparent: bool = False, titles: bool = True, captions: bool = True) -> Theme:
    """``theme`` for a render on a slide: panels see-through when ``transparent``; heading and caption left out
    when ``titles`` / ``captions`` are false (drawn fully transparent, so every layout stays as it was)."""
    return replace(theme, panel_opacity=0.0 if transparent else theme.panel_opacity, titles=titles, captions=captions)


def use_theme(theme: str | Theme) -> Theme:
    """Make ``theme`` (a name, or a Theme) the theme that scenes and components pick up by default."""
    global _current
    _current = theme if isinstance(theme, Theme) else get_theme(theme)
    return _current
def current_theme() -> Theme:
    """The theme in force (light unless ``use_theme`` said otherwise)."""
    return _current


def glyph_pixels(font_size: float, pixel_height: int, frame_height: float = 8.0) -> float:
    """The height in pixels of a digit at ``font_size`` in a frame ``pixel_height`` pixels tall (480 at 480p)."""
    return font_size * GLYPH_HEIGHT * pixel_height / frame_height

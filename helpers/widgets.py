"""Sliders over precomputed pictures: live in a notebook, still interactive in the built
book.

A chapter calls :func:`explore` once. Every picture is drawn up front (one per
combination of knob values), so the same frames serve two audiences:

* in Jupyter, JupyterLab, VS Code or Colab the output is an ipywidgets slider (one per
  knob) over an image — moving it swaps frames, no retraining and no waiting;
* in the rendered book, which has no kernel, the same output carries a self-contained
  HTML twin: a native ``<input type="range">`` and a few lines of inline script over
  embedded PNGs. It needs no CDN and works from ``file://``.

Both live in one display bundle; Jupyter front ends pick the widget, the book's build is
told (in ``_config.yml``) to pick the HTML. When a chapter runs for the book
(``$BOOK_BUILD`` set) the bundle holds the HTML twin alone: the widget would be dropped
from the page anyway, but its saved state (~40 kB an explorer) would not.

Frames are what makes a page heavy, so the HTML twin stores each one as a palette PNG
(:func:`compact_png`: at most 256 colours, grey frames in grey levels), about a third of
matplotlib's RGBA PNG and the same to the eye, and stores the first frame only once.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import uuid
from typing import Callable, Mapping, Sequence

import numpy as np

from . import config

#: Most frames one explorer may precompute: beyond this the page gets heavy (~7 kB a
#: frame once compacted).
MAX_FRAMES = 120

#: Colours kept in a frame of the static twin (matplotlib's antialiased text and lines
#: need far fewer; a grey picture keeps up to this many grey levels).
PALETTE_COLOURS = 256


def compact_png(png: bytes, colours: int = PALETTE_COLOURS) -> bytes:
    """The same picture as a palette PNG of at most ``colours`` colours (Pillow).

    Why: matplotlib writes 32-bit RGBA PNGs, and a page with a few explorers then weighs
    1 MB. The figures are opaque and hold a few hundred distinct colours (grey images,
    antialiased text), so an adaptive palette keeps each pixel within a couple of levels
    of the original (mean difference ~1.5 of 255, invisible) in about a third of the
    bytes. A frame with transparency, or that would not get smaller, is returned as is.
    """
    from PIL import Image

    colours = int(colours)
    if not 2 <= colours <= 256:
        raise ValueError(f"colours must be between 2 and 256, got {colours}")
    picture = Image.open(io.BytesIO(png))
    if picture.mode in ("RGBA", "LA") and picture.getextrema()[-1][0] < 255:
        return png  # transparent pixels: a palette would lose the alpha
    rgb = picture.convert("RGB")
    palette = rgb.quantize(
        colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    smaller = buffer.getvalue()
    return smaller if len(smaller) < len(png) else png


def _for_the_book() -> bool:
    """True when the chapter runs for the built book, which shows the HTML twin only."""
    return bool(config.get("BOOK_BUILD"))


def figure_to_png(figure, dpi: int = 80) -> bytes:
    """PNG bytes of a matplotlib figure, which is then closed so it is not drawn
    twice."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _format(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)


class Explorer:
    """Frames for every combination of knob values, shown as a widget or as static
    HTML."""

    def __init__(
        self, frames: dict, knobs: dict[str, list], *, alt: str, caption: str = ""
    ):
        self.frames = frames  #: (value, value, …) → PNG bytes
        self.knobs = knobs
        self.alt = alt
        self.caption = caption

    def frame(self, **values) -> bytes:
        """The PNG shown for one setting of the knobs, e.g. ``frame(code_size=8)``."""
        missing = set(self.knobs) - set(values)
        if missing:
            raise ValueError(
                f"frame needs a value for every knob; missing {sorted(missing)}"
            )
        key = tuple(values[name] for name in self.knobs)
        if key not in self.frames:
            raise ValueError(f"no frame for {values}; knob values are {self.knobs}")
        return self.frames[key]

    # -- the live widget -------------------------------------------------------------
    def widget(self):
        """An ipywidgets box: one slider per knob above the picture."""
        import ipywidgets as widgets

        sliders = {
            name: widgets.SelectionSlider(
                options=[(_format(v), v) for v in values],
                value=values[0],
                description=name.replace("_", " "),
                continuous_update=True,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="420px"),
            )
            for name, values in self.knobs.items()
        }
        image = widgets.Image(
            value=self.frame(**{n: v[0] for n, v in self.knobs.items()}), format="png"
        )

        def update(_change=None):
            image.value = self.frame(**{name: s.value for name, s in sliders.items()})

        for slider in sliders.values():
            slider.observe(update, names="value")
        return widgets.VBox([*sliders.values(), image])

    # -- the static twin --------------------------------------------------------------
    def html(self) -> str:
        """Self-contained HTML: range inputs, an ``<img>`` and an inline script, no
        network."""
        uid = "explorer-" + uuid.uuid4().hex[:8]
        names = list(self.knobs)
        sources = {
            "|".join(str(i) for i in idx): "data:image/png;base64,"
            + base64.b64encode(
                compact_png(
                    self.frames[tuple(self.knobs[n][i] for n, i in zip(names, idx))]
                )
            ).decode()
            for idx in itertools.product(*(range(len(self.knobs[n])) for n in names))
        }
        labels = {n: [_format(v) for v in self.knobs[n]] for n in names}
        first = "|".join("0" for _ in names)
        controls = "".join(
            f'<div class="explorer-control"><label for="{uid}-{k}">'
            f"{html.escape(n.replace('_', ' '))}: "
            f'<output id="{uid}-{k}-value" for="{uid}-{k}">'
            f"{html.escape(labels[n][0])}</output></label> "
            f'<input type="range" id="{uid}-{k}" data-knob="{k}" '
            f'min="0" max="{len(labels[n]) - 1}" '
            f'step="1" value="0" aria-valuetext="{html.escape(labels[n][0])}"></div>'
            for k, n in enumerate(names)
        )
        alt_first = html.escape(self._alt_text([self.knobs[n][0] for n in names]))
        caption = (
            f"<figcaption>{html.escape(self.caption)}</figcaption>"
            if self.caption
            else ""
        )
        alts = {
            key: self._alt_text(
                [self.knobs[n][int(i)] for n, i in zip(names, key.split("|"))]
            )
            for key in sources
        }
        # the first frame is in the <img> already; the script reads it from there
        later = {key: source for key, source in sources.items() if key != first}
        script = (
            "(function(){"
            f"var root=document.getElementById({json.dumps(uid)});"
            f"var frames={json.dumps(later)};var alts={json.dumps(alts)};"
            f"var labels={json.dumps([labels[n] for n in names])};"
            "var inputs=root.querySelectorAll('input[type=range]');"
            "var img=root.querySelector('img');"
            f"frames[{json.dumps(first)}]=img.src;"
            "function show(){var key=[];"
            "inputs.forEach(function(el,k){key.push(el.value);"
            "var text=labels[k][+el.value];"
            "root.querySelector('#'+el.id+'-value').textContent=text;"
            "el.setAttribute('aria-valuetext',text);});key=key.join('|');"
            "img.src=frames[key];img.alt=alts[key];}"
            "inputs.forEach(function(el){el.addEventListener('input',show);});"
            "})();"
        )
        return (
            f'<figure class="book-explorer" id="{uid}">{controls}'
            f'<img src="{sources[first]}" alt="{alt_first}" style="max-width:100%">'
            f"{caption}"
            f"</figure><script>{script}</script>"
        )

    def _alt_text(self, values) -> str:
        setting = ", ".join(
            f"{n.replace('_', ' ')} = {_format(v)}" for n, v in zip(self.knobs, values)
        )
        return f"{self.alt} ({setting})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {
            "text/plain": (
                f"<Explorer over {', '.join(self.knobs)}: {len(self.frames)} frames>"
            ),
            "text/html": self.html(),
        }
        if _for_the_book():
            return bundle
        try:
            widget_bundle = self.widget()._repr_mimebundle_()
        except Exception:  # no ipywidgets or no kernel comm: the static twin is enough
            widget_bundle = None
        if widget_bundle:
            data = (
                widget_bundle[0] if isinstance(widget_bundle, tuple) else widget_bundle
            )
            view = data.get("application/vnd.jupyter.widget-view+json")
            if view:
                bundle["application/vnd.jupyter.widget-view+json"] = view
        return bundle


def explore(
    render: Callable[..., object],
    knobs: Mapping[str, Sequence],
    *,
    alt: str,
    caption: str = "",
    dpi: int = 80,
) -> Explorer:
    """Precompute ``render(**values)`` for every combination of knob values; show it
    with sliders.

    ``render`` returns a matplotlib figure (closed after drawing) or PNG bytes.
    ``knobs`` maps a name the reader understands (``code_size``, ``noise_level``) to the
    values its slider steps through, in order. ``alt`` describes the picture for screen
    readers; the knob values are appended to it for each frame.

    Display the result (make it a cell's last expression): a live widget in Jupyter and
    Colab, a static slider in the rendered book.
    """
    if not callable(render):
        raise ValueError(
            "render must be a function that takes the knob values and returns a figure"
        )
    if not knobs:
        raise ValueError(
            "explore needs at least one knob, e.g. {'code_size': [2, 8, 32]}"
        )
    if not alt or not str(alt).strip():
        raise ValueError(
            "explore needs alt text that describes the picture for screen readers"
        )
    knob_values = {}
    for name, values in knobs.items():
        values = list(values)
        if not values:
            raise ValueError(f"knob {name!r} has no values; give at least one")
        if len(set(map(_format, values))) != len(values):
            raise ValueError(f"knob {name!r} has repeated values: {values}")
        knob_values[name] = values
    count = int(np.prod([len(v) for v in knob_values.values()]))
    if count > MAX_FRAMES:
        raise ValueError(
            f"{count} frames is more than {MAX_FRAMES}; use fewer knob values"
        )
    frames = {}
    for combination in itertools.product(*knob_values.values()):
        picture = render(**dict(zip(knob_values, combination)))
        if isinstance(picture, (bytes, bytearray)):
            frames[combination] = bytes(picture)
        elif hasattr(picture, "savefig"):
            frames[combination] = figure_to_png(picture, dpi=dpi)
        else:
            raise ValueError(
                "render must return a matplotlib figure or PNG bytes; "
                f"got {type(picture).__name__}"
            )
    return Explorer(frames, knob_values, alt=str(alt), caption=caption)

"""Regenerate every figure of the validation pages (docs/validation/img/*.png).

    .venv/bin/python docs/validation/make_images.py [NAME ...]      # default: all (~1 min)
    .venv/bin/python docs/validation/make_images.py --gallery        # docs/gallery.md

Each figure is ``thermnet plot`` of a shipped netlist (``thermnet.results.plot``), or of
results derived from shipped netlists where the language cannot print the quantity (Dey
Fig. 3 with Sigma_Cu = 2e9 in the source, and the dT of Pioldi Figs. 3(d)-(e), 4(d)-(e));
each page says how its figures were made.  The Pioldi
PNGs are reduced to a 96-colour palette (Pillow) to stay under 100 kB.
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "docs" / "validation" / "img"
NETLISTS = ROOT / "netlists"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import thermnet  # noqa: E402
from thermnet.results import plot  # noqa: E402
from thermnet.results.types import AnalysisResult, Results  # noqa: E402

DPI = {"bezuglyi2003": 90}                 # else 80
# every shipped netlist is drawn (docs/gallery.md shows them all)
DIRECT = sorted(p.stem for p in NETLISTS.glob("*.net"))


def run(name: str, replace=()) -> Results:
    path = NETLISTS / f"{name}.net"
    text = path.read_text()
    for old, new in replace:
        text, n = re.subn(old, new, text)
        assert n, f"{old!r} not in {name}"
    return thermnet.parse(text, str(path)).run()


def save(name: str, res: Results) -> None:
    dest = IMG / f"{name}.png"
    plot.plot_results(res, str(dest), dpi=DPI.get(name.split("_")[0], 80))
    if name.startswith("pioldi2025"):
        from PIL import Image
        image = Image.open(dest).convert("RGB").quantize(96)
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=True)
        dest.write_bytes(buf.getvalue())
    print(f"{dest.relative_to(ROOT)}: {dest.stat().st_size // 1024} kB")


def dey_fig3_sigma2e9() -> Results:
    res = run("dey2023_fig3", [(r"dey_source sigma_cu=\{sigma_cu\}", "dey_source sigma_cu=2e9")])
    res.title = "Dey 2023 Fig 3 with Sigma_Cu = 2e9 in the source"
    return res


def pioldi_delta_t() -> Results:
    """dT = T_L(first point) - T_L,min against J_in: setup 1 (Fig. 3, over T_R) and setup 2
    (Fig. 4, over T_bath), silver and InAsOI; drawn as a log "sweep" over J_in per setup."""
    from test_paper_pioldi2025 import delta_t
    fig3 = {m: run(f"pioldi2025_fig3_{m}") for m in ("silver", "inasoi")}
    fig4 = run("pioldi2025_fig4")
    setups = {
        1: ([r.step["PIN"] for r in fig3["silver"]],
            [delta_t(r.columns["TR"], r.columns["T(L)"]) for r in fig3["silver"]],
            [delta_t(r.columns["TR"], r.columns["T(L)"]) for r in fig3["inasoi"]]),
        2: ([r.step["jin"] for r in fig4],
            [delta_t(r.columns["TB"], r.columns["T(LAG)"]) for r in fig4],
            [delta_t(r.columns["TB"], r.columns["T(LIN)"]) for r in fig4])}
    dims = {"J_in": "power", "setup": "dimensionless", "dT silver": "temperature",
            "dT InAsOI": "temperature"}
    out = [AnalysisResult("sweep", {"setup": k}, {
        "J_in": np.array(p), "dT silver": np.array(ag), "dT InAsOI": np.array(inas)},
        np.ones(len(p), bool), swept="J_in", dimensions=dims,
        sweep={"name": "J_in", "spacing": "log", "kind": "param", "dimension": "power"})
        for k, (p, ag, inas) in setups.items()]
    return Results("Pioldi 2025 Figs 3(d)-(e), 4(d)-(e): dT = T_L(10 mK) - T_L,min", out)


DERIVED = {"dey2023_fig3_sigma2e9": dey_fig3_sigma2e9,
           "pioldi2025_fig3d_fig4d_deltat": pioldi_delta_t}


GALLERY_HEAD = """# Gallery

Every shipped netlist (`thermnet examples` lists them; `thermnet examples NAME -o .` copies
one), its description, the command that runs it anywhere once thermnet is installed, and its
figure (`thermnet plot NAME -o NAME.png`). The validation pages compare them with the papers.
Made by `docs/validation/make_images.py --gallery`; `tests/test_docs_site.py` checks that
every shipped netlist is here.
"""


def description(text: str) -> str:
    """The leading '*' comment lines of a netlist, joined."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("*"):
            break
        lines.append(line.lstrip("* ").rstrip())
    return " ".join(lines)


def gallery() -> str:
    out = [GALLERY_HEAD]
    for name in DIRECT:
        text = (NETLISTS / f"{name}.net").read_text()
        title = next((ln[7:].strip() for ln in text.splitlines()
                      if ln.lower().startswith(".title ")), name)
        out += [f"## {name}", "", f"**{title}.** {description(text)}", "",
                f"    thermnet run {name}", "", f"![{name}](validation/img/{name}.png)", ""]
    return "\n".join(out)


def main(names) -> None:
    if names == ["--gallery"]:
        (ROOT / "docs" / "gallery.md").write_text(gallery())
        return
    for name in names or DIRECT + list(DERIVED):
        save(name, DERIVED[name]() if name in DERIVED else run(name))


if __name__ == "__main__":
    main(sys.argv[1:])

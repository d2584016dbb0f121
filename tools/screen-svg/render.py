#!/usr/bin/env python3
"""Renders a terminal screen captured with `tmux capture-pane -p -e` (text with SGR escapes) as SVG.

Usage: render.py docs/ui-screen.ansi > docs/ui-screen.svg

Each character is placed at its own cell (x = column * cell width), so wide characters (CJK,
emoji) take two cells as in the terminal. SGR 0, 1 (bold), 2 (dim), 7 (reverse), 30-37 and
39/49 are understood; other escapes are ignored.
"""
import re
import sys
import unicodedata
from xml.sax.saxutils import escape

CELL_W, CELL_H, PAD = 9, 18, 12
FG, BG = "#d8dee9", "#1d2128"
PALETTE = {30: "#3b4252", 31: "#e06c75", 32: "#98c379", 33: "#e5c07b", 34: "#61afef", 35: "#c678dd", 36: "#56b6c2", 37: "#e5e9f0"}


def width(ch):
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F") or 0x1F300 <= ord(ch) <= 0x1FAFF:
        return 2
    return 1


def main():
    lines = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
    columns = 80
    out = []
    for row, line in enumerate(lines):
        state = {"bold": False, "dim": False, "reverse": False, "fg": None}
        col = 0
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            if part.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in part[2:-1].split(";")]
                for c in codes:
                    if c == 0:
                        state = {"bold": False, "dim": False, "reverse": False, "fg": None}
                    elif c == 1:
                        state["bold"] = True
                    elif c == 2:
                        state["dim"] = True
                    elif c == 7:
                        state["reverse"] = True
                    elif 30 <= c <= 37:
                        state["fg"] = PALETTE[c]
                    elif c == 39:
                        state["fg"] = None
                continue
            for ch in part:
                w = width(ch)
                if w == 0:
                    continue
                x, y = PAD + col * CELL_W, PAD + row * CELL_H
                fg, bg = state["fg"] or FG, None
                if state["reverse"]:
                    fg, bg = BG, state["fg"] or FG
                if bg:
                    out.append(f'<rect x="{x}" y="{y}" width="{CELL_W * w}" height="{CELL_H}" fill="{bg}"/>')
                if ch != " ":
                    attrs = f'fill="{fg}"'
                    if state["bold"]:
                        attrs += ' font-weight="bold"'
                    if state["dim"]:
                        attrs += ' opacity="0.6"'
                    out.append(f'<text x="{x}" y="{y + CELL_H - 5}" {attrs}>{escape(ch)}</text>')
                col += w
        columns = max(columns, col)
    w, h = PAD * 2 + columns * CELL_W, PAD * 2 + len(lines) * CELL_H
    print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
          f'font-family="DejaVu Sans Mono, Menlo, Consolas, Noto Sans Mono CJK SC, Noto Color Emoji, monospace" font-size="15">')
    print(f'<rect width="{w}" height="{h}" rx="8" fill="{BG}"/>')
    print("\n".join(out))
    print("</svg>")


main()

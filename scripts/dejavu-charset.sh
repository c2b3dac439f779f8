#!/usr/bin/env bash
# Write the characters DejaVu Sans Mono has glyphs for (hex ranges, one a line) to
# tests/fixtures/dejavu-sans-mono.charset, from the font file Debian's fonts-dejavu-core
# installs. tests/glyphs.rs checks that everything teaching rounds draw is in that set, so a
# projector's terminal never shows an empty box. Re-run after a font update; needs fc-query
# (fontconfig).
set -euo pipefail
cd "$(dirname "$0")/.."
font="${1:-/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf}"
{
  echo "# DejaVu Sans Mono $(fc-query --format='%{fontversion}' "$font"): code points with a glyph (hex ranges)"
  fc-query --format='%{charset}\n' "$font" | tr ' ' '\n' | grep -v '^$'
} > tests/fixtures/dejavu-sans-mono.charset
echo "wrote tests/fixtures/dejavu-sans-mono.charset"

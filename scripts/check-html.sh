#!/usr/bin/env bash
# scripts/check-html.sh FILE: checks that a `vmmsim compare` HTML report
# renders in headless Chromium. It loads FILE with JavaScript on, dumps the DOM
# and requires: the renderer's success mark (body data-rendered="ok"), no
# element with id "render-error", and enough drawn SVG elements.
# Prints one line; exits 0 if the report rendered, 1 if not (or no Chromium).
#
# Environment: CHROMIUM (browser binary; default: chromium, chromium-browser,
# google-chrome), MIN_SVG (default 3), MIN_RECTS (default 10), MIN_LINES
# (<path> + <polyline>, default 1), CHECK_TIMEOUT (seconds, default 60),
# KEEP_DOM=FILE (keep the dumped DOM there), SCREENSHOT=FILE.png (also write a
# PNG of the rendered page there, SCREENSHOT_SIZE wide,high in CSS pixels,
# default 1400,3200; the check fails if Chromium writes no PNG).
# Installs Debian's chromium with apt-get when it is missing and this runs as
# root or with sudo.
set -uo pipefail

fail() { echo "check-html: FAIL: $*"; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 FILE.html" >&2; exit 1; }
file=$1
[ -f "$file" ] || fail "$file: no such file"

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
  done
fi
if [ -z "$browser" ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  if [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
    echo "check-html: installing chromium" >&2
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >&2 ||
      fail "could not install chromium"
    browser=chromium
  else
    fail "no chromium (apt-get install chromium, or set CHROMIUM)"
  fi
fi

profile=$(mktemp -d)
dom=$(mktemp)
trap 'rm -rf "$profile" "$dom"' EXIT
url="file://$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"

timeout "${CHECK_TIMEOUT:-60}" "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
  --dump-dom "$url" >"$dom" 2>/dev/null
status=$?
[ -n "${KEEP_DOM:-}" ] && cp "$dom" "$KEEP_DOM"
[ $status -eq 0 ] || fail "$browser exited with status $status"
[ -s "$dom" ] || fail "$browser dumped no DOM"

count() { grep -o -- "$1" "$dom" | wc -l; }
svgs=$(count '<svg[ >]')
rects=$(count '<rect[ >/]')
lines=$(( $(count '<path[ >/]') + $(count '<polyline[ >/]') ))

if grep -q 'id="render-error"' "$dom"; then
  message=$(tr '\n' ' ' <"$dom" | grep -o 'id="render-error"[^<]*' | sed 's/^[^>]*>//' | cut -c1-240)
  fail "render error: $message"
fi
grep -q 'data-rendered="ok"' "$dom" || fail "the renderer did not finish (no data-rendered=\"ok\"; is JavaScript running?)"
[ "$svgs" -ge "${MIN_SVG:-3}" ] || fail "$svgs <svg> elements (need ${MIN_SVG:-3})"
[ "$rects" -ge "${MIN_RECTS:-10}" ] || fail "$rects <rect> elements (need ${MIN_RECTS:-10})"
[ "$lines" -ge "${MIN_LINES:-1}" ] || fail "$lines <path>/<polyline> elements (need ${MIN_LINES:-1})"
shot=""
if [ -n "${SCREENSHOT:-}" ]; then
  rm -f "$SCREENSHOT"
  timeout "${CHECK_TIMEOUT:-60}" "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
    --hide-scrollbars --window-size="${SCREENSHOT_SIZE:-1400,3200}" --screenshot="$SCREENSHOT" "$url" >/dev/null 2>&1
  [ "$(head -c 8 "$SCREENSHOT" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "$browser wrote no PNG screenshot to $SCREENSHOT"
  shot="; screenshot $SCREENSHOT ($(wc -c <"$SCREENSHOT") bytes)"
fi
echo "check-html: OK: $file rendered ($svgs svg, $rects rect, $lines path/polyline)$shot"

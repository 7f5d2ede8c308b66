#!/bin/sh
# Builds libtriage (if needed) and runs the `triage` command's main job.
# Arguments are passed to `triage`; without any, the default demo runs.
set -eu
cd "$(dirname "$0")/.."
if [ ! -d build/meson-private ]; then
  meson setup build -Dpython_interpreter=/usr/bin/python3 >/dev/null
fi
meson compile -C build >/dev/null
if [ $# -gt 0 ]; then
  exec build/examples/cli/triage "$@"
fi
build/examples/cli/triage --version
build/examples/cli/triage date-info "$(date +%F)"

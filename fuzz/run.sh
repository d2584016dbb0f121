#!/usr/bin/env bash
# Runs one fuzz target under libFuzzer (docs/fuzzing.md):
#   fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]   fuzz for SECONDS (default 60)
#   fuzz/run.sh TARGET --repro FILE...                  run inputs once, uninstrumented (a crash's input, say)
#   fuzz/run.sh --list                                  the targets
# Steps: build fuzz/OC.Fuzz into fuzz/out/build (skipped with OC_FUZZ_SKIP_BUILD=1); copy that to
# fuzz/out/instrumented and instrument OC.Protocol.dll, oc-appliance.dll and Makaretu.Dns.dll there
# with SharpFuzz.CommandLine (the local tool of .config/dotnet-tools.json) whenever the build
# changed; build our libFuzzer driver fuzz/driver/oc-fuzz-driver.c with clang -fsanitize=fuzzer;
# then fuzz. Seeds come from fuzz/corpus/TARGET (in git, read only); what libFuzzer finds goes to
# fuzz/out/corpus/TARGET, and a crash, timeout or over-allocation to fuzz/artifacts/TARGET/
# (both ignored by git). Exit status: 0 when nothing was found, libFuzzer's non-zero one otherwise.
# Needs the .NET 10 SDK, clang and libclang-rt-14-dev (libFuzzer's runtime): .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=fuzz/out

build() {
  if [ "${OC_FUZZ_SKIP_BUILD:-}" != 1 ]; then
    dotnet build fuzz/OC.Fuzz/OC.Fuzz.csproj -c Release -nologo -clp:NoSummary -v:q -o "$out/build" >&2
  fi
  [ -f "$out/build/OC.Fuzz.dll" ] || { echo "fuzz/run.sh: $out/build/OC.Fuzz.dll is missing (build without OC_FUZZ_SKIP_BUILD=1)" >&2; exit 1; }
}

# Instrument a fresh copy whenever the build's assemblies differ from the ones instrumented last.
instrument() {
  local stamp
  stamp=$(cd "$out/build" && sha256sum ./*.dll | sha256sum | cut -c1-64)
  if [ -f "$out/instrumented/.stamp" ] && [ "$(cat "$out/instrumented/.stamp")" = "$stamp" ]; then return; fi
  rm -rf "$out/instrumented"
  cp -r "$out/build" "$out/instrumented"
  dotnet tool restore >/dev/null
  for dll in OC.Protocol.dll oc-appliance.dll Makaretu.Dns.dll; do
    dotnet sharpfuzz "$out/instrumented/$dll" >&2
  done
  echo "$stamp" > "$out/instrumented/.stamp"
}

driver() {
  local source=fuzz/driver/oc-fuzz-driver.c binary=$out/oc-fuzz-driver
  if [ ! -x "$binary" ] || [ "$source" -nt "$binary" ]; then
    mkdir -p "$out"
    if ! clang -fsanitize=fuzzer -O2 -Wall -Wextra -Werror -o "$binary" "$source"; then
      echo "fuzz/run.sh: building the libFuzzer driver failed; it needs clang and libclang-rt-14-dev (apt-get install -y clang libclang-rt-14-dev)" >&2
      exit 1
    fi
  fi
}

# The longest input each target gets: what its parser can meet in one piece.
max_len() {
  case "$1" in
    frame) echo 8192 ;;        # a stream of frames; the limits are checked from the first 4 bytes
    messages) echo 8192 ;;     # the largest messages (HISTORY_PAGE, FILE_ENTRIES) and beyond
    http) echo 8193 ;;         # HttpLimits.MaxRequestBytes + 1, as the connection reads
    mdns) echo 9000 ;;         # MdnsPacket.MaxBytes
    scram) echo 2100 ;;        # two messages of up to 1024 bytes
    msglog) echo 65536 ;;      # a dozen records of up to 4146 bytes
    sidecar) echo 4096 ;;      # a sidecar is ~400 bytes; the name is the only variable part
    *) echo 4096 ;;
  esac
}

if [ "${1:-}" = --list ] || [ $# -eq 0 ]; then
  build
  dotnet "$out/build/OC.Fuzz.dll" list
  [ $# -gt 0 ] || { echo "usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...] | TARGET --repro FILE... | --list" >&2; exit 2; }
  exit 0
fi

target=$1
shift
if [ "${1:-}" = --repro ]; then
  shift
  build
  exec dotnet "$out/build/OC.Fuzz.dll" "$target" "$@"
fi
seconds=${1:-60}
shift || true

build
if ! dotnet "$out/build/OC.Fuzz.dll" list | grep -q "^$target "; then
  echo "fuzz/run.sh: no target '$target'; the targets:" >&2
  dotnet "$out/build/OC.Fuzz.dll" list >&2
  exit 2
fi
instrument
driver

seeds=fuzz/corpus/$target
work=$out/corpus/$target
artifacts=fuzz/artifacts/$target
mkdir -p "$work" "$artifacts"

# The .NET process is started once by the driver and kept for every input. A runaway allocation
# hits the GC's hard limit (1 GiB) and throws, which the driver reports as a crash.
export OC_FUZZ_COMMAND="exec dotnet $(printf '%q' "$root/$out/instrumented/OC.Fuzz.dll") $(printf '%q' "$target")"
export DOTNET_GCHeapHardLimit=0x40000000
export DOTNET_CLI_TELEMETRY_OPTOUT=1

set +e
"$out/oc-fuzz-driver" -max_total_time="$seconds" -timeout=10 -max_len="$(max_len "$target")" \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$work" "$seeds"
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "fuzz/run.sh: $target found something (libFuzzer exit $status); the input is in $artifacts/" >&2
  echo "fuzz/run.sh: reproduce with: fuzz/run.sh $target --repro $artifacts/<file>" >&2
fi
exit "$status"

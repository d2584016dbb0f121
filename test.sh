#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. build everything in Release (warnings are errors),
#   2. publish oc-appliance and oc with NativeAOT for this machine (any AOT/trim warning fails),
#   3. run every test: unit tests, integration tests on loopback against the real appliance,
#      the CLI driven as a process, and the AOT smoke tests against the published binaries.
# Needs the .NET 10 SDK and clang (apt-get install -y clang zlib1g-dev).
set -euo pipefail
cd "$(dirname "$0")"

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "test.sh: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

dotnet build OC.sln -c Release -nologo -clp:NoSummary
./publish.sh "$rid"

export OC_APPLIANCE_PATH="$PWD/artifacts/publish/$rid/oc-appliance"
export OC_CLI_PATH="$PWD/artifacts/publish/$rid/oc"
# The process tests run these; make sure they are the native executables, not managed builds.
for binary in "$OC_APPLIANCE_PATH" "$OC_CLI_PATH"; do
  if [ "$(head -c 4 "$binary" | od -An -c | tr -d ' ')" != '177ELF' ]; then
    echo "test.sh: $binary is not a native executable" >&2
    exit 1
  fi
done

mkdir -p artifacts/test-results
log=artifacts/test-results/test-output.txt
set +e
dotnet test OC.sln -c Release --no-build -nologo --logger "console;verbosity=normal" --results-directory artifacts/test-results 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line for CI: "N passed, N failed, N skipped" (from the runner's totals).
count() { grep -E "^\s+$1: +[0-9]+" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
echo "$(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
exit "$status"

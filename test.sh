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

mkdir -p artifacts/test-results
log=artifacts/test-results/test-output.txt
set +e
dotnet test OC.sln -c Release --no-build -nologo --logger "console;verbosity=normal" --results-directory artifacts/test-results 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line for CI: "N passed, N failed, N skipped".
summary=$(grep -E '(Passed|Failed)!.*Total:' "$log" | tail -n 1 || true)
passed=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*Failed: *([0-9]+),.*/\1/p' <<<"$summary")
skipped=$(sed -nE 's/.*Skipped: *([0-9]+).*/\1/p' <<<"$summary")
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"

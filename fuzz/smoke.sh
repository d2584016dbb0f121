#!/usr/bin/env bash
# The fuzzing smoke run of CI (test.sh runs it): every target for 30 seconds (OC_FUZZ_SMOKE_SECONDS),
# from its seeds in fuzz/corpus. Fails when any target finds a crash, a hang or an over-allocation
# (the input is then in fuzz/artifacts/TARGET/; docs/fuzzing.md says what to do with it).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${OC_FUZZ_SMOKE_SECONDS:-30}
targets=(frame messages http mdns scram msglog sidecar)

dotnet build fuzz/OC.Fuzz/OC.Fuzz.csproj -c Release -nologo -clp:NoSummary -v:q -o fuzz/out/build
mkdir -p fuzz/out/logs
failed=()
for target in "${targets[@]}"; do
  log=fuzz/out/logs/smoke-$target.txt
  if OC_FUZZ_SKIP_BUILD=1 fuzz/run.sh "$target" "$seconds" >"$log" 2>&1; then
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    echo "fuzz/smoke.sh: $target: $runs inputs in ${seconds} s, nothing found"
  else
    failed+=("$target")
    echo "fuzz/smoke.sh: $target FAILED; the end of $log:"
    grep -vE '^#[0-9]+ +(NEW|REDUCE|pulse)' "$log" | tail -40 | sed 's/^/   /'
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz/smoke.sh: found something in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi

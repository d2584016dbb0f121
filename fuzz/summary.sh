#!/usr/bin/env bash
# One table row per fuzz/run.sh log (docs/fuzzing.md, "The campaign"): the target, seconds,
# executions, executions a second, libFuzzer's features (ft: edge and hit-count pairs of SharpFuzz's
# coverage map), the corpus at the end, and what was found (an artifact's kind, or "none").
#   fuzz/run.sh frame 600 2>&1 | tee campaign-frame-1.txt; fuzz/summary.sh campaign-*.txt
set -uo pipefail
printf '| target | seconds | executions | exec/s | features (ft) | corpus (units/bytes) | found |\n|---|---:|---:|---:|---:|---|---|\n'
for log in "$@"; do
  target=$(grep -oE "artifact_prefix='?fuzz/artifacts/[a-z]+" "$log" | head -1 | sed -E 's#.*/##')
  # Otherwise from the log's name, as the campaign and smoke runs name them: campaign-TARGET-TIME.txt, smoke-TARGET.txt.
  [ -n "$target" ] || target=$(basename "$log" .txt | sed -E 's/^[a-z]+-//; s/-[0-9]+$//')
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  seconds=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE 'in [0-9]+' | grep -oE '[0-9]+')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+')
  corpus=$(echo "$last" | grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]+' | cut -d' ' -f2)
  found=$(grep -oE 'Test unit written to [^ ]+' "$log" | sed -E 's#.*/##; s#-[0-9a-f]+$##' | head -1)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$target" "${seconds:-?}" "${runs:-?}" "${rate:-?}" "${ft:-?}" "${corpus:-?}" "${found:-none}"
done

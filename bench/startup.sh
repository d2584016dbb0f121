#!/usr/bin/env bash
# Start-up time and idle memory of oc-appliance (docs/performance.md, "The binaries"):
#   bench/startup.sh [BINARY] [RUNS] [fresh|existing] [APPLIANCE ARGS...]
# Each run execs the appliance (ports chosen by the OS; APPLIANCE ARGS, by default
# "--bind 127.0.0.1", where mDNS stays off; "--bind 0.0.0.0" measures it with mDNS) and times from just before the
# exec to its "appliance.listening" log line, written once both listening sockets are bound (so
# the ports accept from then on). 2 s later, with no client, it reads VmRSS (and RssAnon, the
# part not backed by files such as the executable's own pages) from /proc, then
# stops it with SIGTERM and requires exit 0. "fresh": an empty data folder each run (the database
# is created); "existing": one folder, reused (the first run creates it). Prints each run, then
# the medians.
set -euo pipefail

binary=${1:-artifacts/publish/linux-x64/oc-appliance}
runs=${2:-10}
mode=${3:-fresh}
[ -x "$binary" ] || { echo "startup.sh: $binary is not an executable (./publish.sh first)" >&2; exit 2; }
case "$mode" in fresh|existing) ;; *) echo "startup.sh: mode is fresh or existing" >&2; exit 2 ;; esac
shift $(( $# < 3 ? $# : 3 ))
extra=("$@")
[ ${#extra[@]} -gt 0 ] || extra=(--bind 127.0.0.1)

work=$(mktemp -d /tmp/oc-startup-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "startup.sh: $binary ${extra[*]}, $runs runs, $mode data folder; load average $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for i in $(seq 1 "$runs"); do
  data="$work/data"
  [ "$mode" = existing ] || data="$work/data-$i"
  fifo="$work/log-$i"
  mkfifo "$fifo"
  start=$EPOCHREALTIME
  "$binary" --data "$data" --port 0 --http-port 0 "${extra[@]}" 2>"$fifo" >/dev/null &
  pid=$!
  exec 3<"$fifo"
  listening=
  while IFS= read -r line <&3; do
    if [[ $line == *appliance.listening* ]]; then listening=$EPOCHREALTIME; break; fi
  done
  # Keep reading its log, so that its later lines never meet a closed pipe.
  cat <&3 >/dev/null &
  drain=$!
  exec 3<&-
  [ -n "$listening" ] || { echo "startup.sh: run $i: no appliance.listening line" >&2; exit 1; }
  ms=$(awk -v a="$start" -v b="$listening" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
  sleep 2
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status")
  kill -TERM "$pid"
  status=0
  wait "$pid" || status=$?
  wait "$drain" || true
  [ "$status" = 0 ] || { echo "startup.sh: run $i: exit $status after SIGTERM" >&2; exit 1; }
  echo "run $i: $ms ms to appliance.listening; after 2 s idle VmRSS $rss KiB, of it RssAnon $anon KiB"
  echo "$ms" >>"$work/ms"
  echo "$rss" >>"$work/rss"
  echo "$anon" >>"$work/anon"
done

echo "median: $(median <"$work/ms") ms to listening (min $(sort -n "$work/ms" | head -1), max $(sort -n "$work/ms" | tail -1));" \
  "VmRSS $(median <"$work/rss") KiB (min $(sort -n "$work/rss" | head -1), max $(sort -n "$work/rss" | tail -1));" \
  "RssAnon $(median <"$work/anon") KiB;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"

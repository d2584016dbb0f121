#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. build everything in Release (warnings are errors),
#   2. publish oc-appliance and oc with NativeAOT for this machine (any AOT/trim warning fails),
#   3. on an x64 machine, also cross-publish linux-arm64 (the Raspberry Pi build) so that a test
#      runs those binaries under qemu-user,
#   4. run every test, the three test projects of OC.sln: tests/OC.Tests.Unit (no sockets, no
#      processes), tests/OC.Tests.Integration (the real appliance in-process on loopback) and
#      tests/OC.Tests.System (the CLI driven as a process, the AOT smoke tests against the
#      published binaries, network namespaces, the arm64 binaries under qemu, and the status
#      page in headless Chromium),
#   5. the fuzzing smoke run (fuzz/smoke.sh, docs/fuzzing.md): every fuzz target for 30 s under
#      libFuzzer from its seeds; a crash, hang or over-allocation fails the suite. It needs
#      libFuzzer's runtime (apt-get install -y libclang-rt-14-dev).
# Needs the .NET 10 SDK and clang (apt-get install -y clang zlib1g-dev). For steps 3 and 4 it
# also wants the arm64 cross toolchain, qemu-user, the arm64 libssl and chromium (.ci/run
# installs them all); without them it says what it did not run, and with CI=true it fails.
set -euo pipefail
cd "$(dirname "$0")"

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "test.sh: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

# What the arm64 step needs that this machine lacks (empty: all there).
arm64_missing() {
  local missing=()
  command -v ld.lld >/dev/null || missing+=(lld)
  command -v llvm-objcopy >/dev/null || missing+=(llvm)
  [ -e /usr/aarch64-linux-gnu/lib/libc.so ] || missing+=(libc6-dev-arm64-cross)
  [ -d /usr/lib/gcc-cross/aarch64-linux-gnu ] || missing+=(libgcc-12-dev-arm64-cross)
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  [ -e /lib/ld-linux-aarch64.so.1 ] || missing+=(libc6:arm64)
  [ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ] || missing+=(libssl3:arm64)
  echo "${missing[*]}"
}

dotnet build OC.sln -c Release -nologo -clp:NoSummary
./publish.sh "$rid"

mkdir -p artifacts/test-results
export OC_TEST_RESULTS="$PWD/artifacts/test-results"
rm -f "$OC_TEST_RESULTS"/arm64-under-qemu.txt "$OC_TEST_RESULTS"/status-page*.png
not_run=()
if [ "$rid" = linux-x64 ]; then
  missing=$(arm64_missing)
  if [ -z "$missing" ]; then
    ./publish.sh linux-arm64
    # Run by qemu-user with the arm64 glibc and libssl of Debian's multiarch packages
    # (/lib/ld-linux-aarch64.so.1). Not -L /usr/aarch64-linux-gnu: that loader from the cross
    # packages would load the multiarch libc of another build, and hang.
    export OC_ARM64_APPLIANCE="$PWD/artifacts/publish/linux-arm64/oc-appliance"
    export OC_ARM64_CLI="$PWD/artifacts/publish/linux-arm64/oc"
    export OC_ARM64_RUNNER=qemu-aarch64
  elif [ "${CI:-}" = true ]; then
    echo "test.sh: CI=true, but the arm64 step cannot run; missing: $missing (.ci/run installs them)" >&2
    exit 1
  else
    not_run+=("the linux-arm64 binaries under qemu (missing: $missing; install them as .ci/run does)")
  fi
else
  echo "test.sh: a native $rid machine: the process tests run the $rid binaries, no emulation needed"
fi
libfuzzer_missing() {
  [ -e "$(clang -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-$(uname -m).a" ] || echo libclang-rt-14-dev
}
fuzz_missing=$(libfuzzer_missing)
if [ -n "$fuzz_missing" ] && [ "${CI:-}" = true ]; then
  echo "test.sh: CI=true, but the fuzzing smoke run cannot run; missing: $fuzz_missing (.ci/run installs it)" >&2
  exit 1
elif [ -n "$fuzz_missing" ]; then
  not_run+=("the fuzzing smoke run (missing: $fuzz_missing)")
fi
if ! command -v chromium >/dev/null && [ -z "${OC_CHROMIUM:-}" ]; then
  not_run+=("the status page in headless Chromium (apt-get install -y chromium)")
fi
for what in "${not_run[@]}"; do echo "test.sh: NOT RUN: $what"; done

export OC_APPLIANCE_PATH="$PWD/artifacts/publish/$rid/oc-appliance"
export OC_CLI_PATH="$PWD/artifacts/publish/$rid/oc"
# The process tests run these; make sure they are the native executables, not managed builds.
for binary in "$OC_APPLIANCE_PATH" "$OC_CLI_PATH"; do
  if [ "$(head -c 4 "$binary" | od -An -c | tr -d ' ')" != '177ELF' ]; then
    echo "test.sh: $binary is not a native executable" >&2
    exit 1
  fi
done

log=artifacts/test-results/test-output.txt
set +e
dotnet test OC.sln -c Release --no-build -nologo --logger "console;verbosity=normal" --results-directory artifacts/test-results 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Every fuzz target for 30 s (docs/fuzzing.md); one line per target in the output.
fuzz_passed=0
fuzz_failed=0
if [ -z "$fuzz_missing" ]; then
  fuzz_log=artifacts/test-results/fuzz-smoke.txt
  set +e
  fuzz/smoke.sh 2>&1 | tee "$fuzz_log"
  fuzz_status=${PIPESTATUS[0]}
  set -e
  fuzz_passed=$(grep -c 'nothing found$' "$fuzz_log" || true)
  fuzz_failed=$(grep -c ' FAILED;' "$fuzz_log" || true)
  if [ "$fuzz_status" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then fuzz_failed=1; fi
  if [ "$fuzz_status" -ne 0 ] && [ "$status" -eq 0 ]; then status=$fuzz_status; fi
fi

# What the arm64 test did, step by step (it writes this transcript; the runner hides a passed test's output).
if [ -f "$OC_TEST_RESULTS/arm64-under-qemu.txt" ]; then
  echo "== linux-arm64 under qemu-user (Arm64UnderQemuTests):"
  sed 's/^/   /' "$OC_TEST_RESULTS/arm64-under-qemu.txt"
fi
for png in "$OC_TEST_RESULTS"/status-page*.png; do
  if [ -e "$png" ]; then echo "The status page as Chromium shows it: $png"; fi
done
for what in "${not_run[@]}"; do echo "test.sh: NOT RUN: $what"; done

# One plain closing line for CI: "N passed, N failed, N skipped": the runner prints totals per
# test project (a line such as "     Passed: 95" for each), so they are summed over all three; each
# fuzz target of the smoke run counts as one more, passed or failed.
count() { grep -E "^\s+$1: +[0-9]+" "$log" | grep -oE '[0-9]+' | awk '{ n += $1 } END { print n + 0 }'; }
echo "$(( $(count Passed) + fuzz_passed )) passed, $(( $(count Failed) + fuzz_failed )) failed, $(count Skipped) skipped"
exit "$status"

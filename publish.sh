#!/usr/bin/env bash
# Publishes oc-appliance and oc as NativeAOT binaries, one folder per runtime:
#   ./publish.sh                      linux-x64 and linux-arm64
#   ./publish.sh linux-x64            just one
# Output: artifacts/publish/<rid>/{oc-appliance,oc}. Any trim/AOT warning fails the build
# (TreatWarningsAsErrors in Directory.Build.props).
# Needs clang (and zlib1g-dev) for the native link: apt-get install -y clang zlib1g-dev.
# linux-arm64 from an x64 machine cross-links with lld against Debian's arm64 cross packages:
#   apt-get install -y clang lld llvm libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
# No SysRoot is passed: /usr/aarch64-linux-gnu is not a sysroot (its libc.so linker script names
# /usr/aarch64-linux-gnu/lib/... by absolute path, which --sysroot would prefix a second time).
# The ILCompiler targets pass --target=aarch64-linux-gnu, and clang finds the cross GCC install
# and those libraries by itself; llvm-objcopy (package llvm) strips the arm64 ELF.
# The binaries need glibc 2.34 or later: 64-bit Raspberry Pi OS bookworm has 2.36.
set -euo pipefail
cd "$(dirname "$0")"

rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)

host_arch=$(uname -m)
for rid in "${rids[@]}"; do
  out="artifacts/publish/$rid"
  extra=()
  if [ "$rid" = linux-arm64 ] && [ "$host_arch" != aarch64 ]; then
    if [ ! -e /usr/aarch64-linux-gnu/lib/libc.so ] || [ ! -d /usr/lib/gcc-cross/aarch64-linux-gnu ] \
      || ! command -v ld.lld >/dev/null || ! command -v llvm-objcopy >/dev/null; then
      echo "publish.sh: cross-compiling for linux-arm64 needs: apt-get install -y clang lld llvm libc6-dev-arm64-cross libgcc-12-dev-arm64-cross" >&2
      exit 1
    fi
    extra=(-p:LinkerFlavor=lld)
  fi
  for project in src/OC.Appliance src/OC.CliClient; do
    echo "publish.sh: $project for $rid"
    dotnet publish "$project" -c Release -r "$rid" -o "$out" -p:DebugType=none -p:StripSymbols=true "${extra[@]}" -nologo -clp:NoSummary
  done
  rm -f "$out"/*.pdb "$out"/*.dbg
  ls -l "$out"
done

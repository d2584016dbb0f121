#!/usr/bin/env bash
# Publishes oc-appliance and oc as NativeAOT binaries, one folder per runtime:
#   ./publish.sh                      linux-x64 and linux-arm64
#   ./publish.sh linux-x64            just one
# Output: artifacts/publish/<rid>/{oc-appliance,oc}. Any trim/AOT warning fails the build
# (TreatWarningsAsErrors in Directory.Build.props).
# Needs clang (and zlib1g-dev) for the native link: apt-get install -y clang zlib1g-dev.
# linux-arm64 from an x64 machine cross-links with lld and Debian's arm64 sysroot:
#   apt-get install -y clang lld libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
set -euo pipefail
cd "$(dirname "$0")"

rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)

host_arch=$(uname -m)
for rid in "${rids[@]}"; do
  out="artifacts/publish/$rid"
  extra=()
  if [ "$rid" = linux-arm64 ] && [ "$host_arch" != aarch64 ]; then
    if [ ! -d /usr/aarch64-linux-gnu/lib ] || ! command -v ld.lld >/dev/null; then
      echo "publish.sh: cross-compiling for linux-arm64 needs: apt-get install -y clang lld libc6-dev-arm64-cross libgcc-12-dev-arm64-cross" >&2
      exit 1
    fi
    extra=(-p:LinkerFlavor=lld -p:SysRoot=/usr/aarch64-linux-gnu -p:ObjCopyName=llvm-objcopy)
  fi
  for project in src/OC.Appliance src/OC.CliClient; do
    echo "publish.sh: $project for $rid"
    dotnet publish "$project" -c Release -r "$rid" -o "$out" -p:DebugType=none -p:StripSymbols=true "${extra[@]}" -nologo -clp:NoSummary
  done
  rm -f "$out"/*.pdb "$out"/*.dbg
  ls -l "$out"
done

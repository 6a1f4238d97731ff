#!/usr/bin/env bash
# Builds the sample image's program (assets/greeter/greeter.c) for amd64 and arm64: static, no C
# library, about 1 KB each. learn-registry embeds the two binaries (`include_bytes!` in src/setup.rs,
# `setup::asset_for`) and a lesson's `build_image` copies the one for the engine's architecture into a
# `FROM scratch` image, so the course's setup builds a runnable image with no network.
#
# The binaries are committed; run this only after changing greeter.c, then commit the binaries and the
# sha256 sums it writes (assets/greeter/SHA256SUMS). Needs gcc and, for arm64, Debian's
# gcc-aarch64-linux-gnu (`apt-get install gcc gcc-aarch64-linux-gnu`).
#
# Usage: scripts/build-greeter.sh [--check]   (--check: rebuild into a temporary folder and compare)
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/assets/greeter
out=$dir
check=0
if [[ ${1:-} == --check ]]; then
	check=1
	out=$(mktemp -d)
	trap 'rm -rf -- "$out"' EXIT
fi

# -ffile-prefix-map and no build ID keep the output the same wherever it is built.
flags=(-static -nostdlib -Os -s -fno-pie -no-pie -fno-stack-protector -fno-asynchronous-unwind-tables
	-fno-ident -ffile-prefix-map="$root"=. -Wl,--build-id=none -Wl,-z,norelro -Wl,-z,noseparate-code -Wall -Wextra -Werror)

build() {
	local cc=$1 arch=$2
	command -v "$cc" >/dev/null || {
		echo "build-greeter: \`$cc\` is missing (apt-get install ${3})" >&2
		exit 1
	}
	"$cc" "${flags[@]}" -o "$out/greeter-$arch" "$dir/greeter.c"
}

build gcc amd64 gcc
build aarch64-linux-gnu-gcc arm64 gcc-aarch64-linux-gnu

(cd -- "$out" && sha256sum greeter-amd64 greeter-arm64) >"$out/SHA256SUMS"
if ((check)); then
	diff -u "$dir/SHA256SUMS" "$out/SHA256SUMS"
	echo "build-greeter: the committed binaries match greeter.c"
else
	ls -l "$out"/greeter-amd64 "$out"/greeter-arm64
	cat "$out/SHA256SUMS"
fi

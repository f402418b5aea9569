#!/bin/sh
# Builds the image's Java runtime layer (for the default base, `scratch`): a jlink'd Java runtime at /opt/java and
# the shared libraries it loads (glibc, zlib, libstdc++ ...), taken from this build machine's JDK and system, at
# their usual paths. Usage: runtime.sh OUTPUT_DIR. The image then needs no base image from a registry.
set -eu
out="$1"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
rm -rf "$out"
mkdir -p "$out/opt" "$out/tmp"
"$java_home/bin/jlink" --output "$out/opt/java" \
  --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.security.auth,jdk.security.jgss,jdk.zipfs,jdk.management,jdk.naming.dns,jdk.net,jdk.localedata \
  --include-locales en \
  --strip-debug --no-man-pages --no-header-files
# the shared libraries the runtime (and the native libraries of snappy/zstd, which need libstdc++) link to
libs=$( { ldd "$out/opt/java/bin/java"; for so in "$out"/opt/java/lib/*.so "$out"/opt/java/lib/server/*.so; do
          case "$so" in *awt*|*font*|*jsound*|*splash*|*lcms*|*jpeg*|*mlib*|*jawt*) continue ;; esac # headless
          ldd "$so" 2>/dev/null || true; done; } | awk '/=> \// {print $3} /^\s*\/[^ ]*ld-linux/ {print $1}' | sort -u)
extra=$(for l in libstdc++.so.6 libgcc_s.so.1; do ldconfig -p | awk -v l="$l" '$1 == l && /x86-64|64bit|aarch64/ {print $NF; exit}'; done)
for lib in $libs $extra; do
  case "$lib" in "$out"/*) continue ;; esac
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
# glibc's loader at the path the ELF headers name (/lib64 is a symlink on Debian, a directory in the image)
if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$out/lib64/ld-linux-x86-64.so.2" ]; then
  mkdir -p "$out/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/"
fi

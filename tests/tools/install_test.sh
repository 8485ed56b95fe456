#!/bin/sh
# Installs the build into a staging prefix and builds the reference host
# against the installed header only (through the installed pkg-config file
# and the installed CMake package), then runs it against the installed plugin.
#   install_test.sh BUILD_DIR SOURCE_DIR SCRATCH C_COMPILER
set -eu
build=$1 src=$2 scratch=$3 cc=$4
rm -rf "$scratch" && mkdir -p "$scratch"
stage="$scratch/stage"
cmake --install "$build" --prefix "$stage" >/dev/null
for f in lib/tenzro/libtenzro_tee.so include/tenzro_tee.h bin/tenzro-tee \
         share/tenzro-tee/example-node.toml share/tenzro-tee/devnet.toml \
         lib/cmake/tenzro-tee/tenzro-tee-config.cmake lib/pkgconfig/tenzro-tee.pc; do
  [ -f "$stage/$f" ] || { echo "missing after install: $f"; exit 1; }
done
# No soname: the module is dlopened by path, its ABI negotiated at run time.
if readelf -d "$stage/lib/tenzro/libtenzro_tee.so" | grep -q SONAME; then
  echo "the module has a soname"; exit 1
fi
"$stage/bin/tenzro-tee" --version | grep -q "$(sed -n 's/^project(tenzro_tee VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")"

# 1. pkg-config: the header from the staging prefix, nothing from the source tree.
cflags=$(PKG_CONFIG_PATH="$stage/lib/pkgconfig" pkg-config --define-prefix --cflags tenzro-tee)
case "$cflags" in *"$stage"*) ;; *) echo "pkg-config cflags do not point into the stage: $cflags"; exit 1 ;; esac
libs=$(PKG_CONFIG_PATH="$stage/lib/pkgconfig" pkg-config --define-prefix --libs tenzro-tee)
cp "$src/tools/reference_host.c" "$scratch/host.c"
# shellcheck disable=SC2086
$cc -std=c99 -D_POSIX_C_SOURCE=200809L $cflags -o "$scratch/host" "$scratch/host.c" \
    $(pkg-config --libs libsodium) $libs

# 2. The CMake package.
mkdir -p "$scratch/cmake-consumer"
cat > "$scratch/cmake-consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(consumer C)
find_package(tenzro-tee REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
add_executable(host "$scratch/host.c")
target_compile_definitions(host PRIVATE _POSIX_C_SOURCE=200809L)
target_link_libraries(host PRIVATE tenzro::tee_header PkgConfig::SODIUM)
file(WRITE "\${CMAKE_BINARY_DIR}/plugin-path" "\${TENZRO_TEE_PLUGIN}")
CMAKE
cmake -S "$scratch/cmake-consumer" -B "$scratch/cmake-build" -DCMAKE_PREFIX_PATH="$stage" >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
[ "$(cat "$scratch/cmake-build/plugin-path")" = "$stage/lib/tenzro/libtenzro_tee.so" ]
# 3. The .deb: built by CPack, Depends computed from what the binaries link.
(cd "$scratch" && cpack -G DEB --config "$build/CPackConfig.cmake" >/dev/null)
deb=$(ls "$scratch"/tenzro-tee_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for pkg in libsodium23 librocksdb libssl3; do
  case "$depends" in *"$pkg"*) ;; *) echo "$pkg missing from Depends"; exit 1 ;; esac
done
dpkg-deb -c "$deb" | grep -q './usr/lib/x86_64-linux-gnu/tenzro/libtenzro_tee.so\|./usr/lib/tenzro/libtenzro_tee.so'
echo "install: ok ($stage, $deb)"

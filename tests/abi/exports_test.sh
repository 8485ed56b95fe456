#!/bin/sh
# Only tee_-prefixed entry points may leave the plugin (DESIGN §11).
set -eu
so="$1"
syms=$(nm -D --defined-only "$so" | awk '{print $3}')
bad=$(printf '%s\n' "$syms" | grep -vE '^(tee_[a-z_]+|_init|_fini|_edata|_end|__bss_start)$' || true)
for need in tee_negotiate tee_abi_hash tee_status_str; do
  printf '%s\n' "$syms" | grep -qx "$need" || { echo "missing export: $need"; exit 1; }
done
if [ -n "$bad" ]; then
  echo "unexpected exports:"; printf '%s\n' "$bad"; exit 1
fi
# Nothing may keep dlclose from unmapping the module: no STB_GNU_UNIQUE
# symbol (gcc makes them of inline function-local statics and static members
# of templates; glibc then marks the object NODELETE) and no DF_1_NODELETE.
if readelf -sW "$so" | grep -q 'UNIQUE'; then
  echo "STB_GNU_UNIQUE symbols keep the module mapped after dlclose:"
  readelf -sW "$so" | grep 'UNIQUE' | head; exit 1
fi
if readelf -d "$so" | grep -q 'NODELETE'; then echo "module is marked NODELETE"; exit 1; fi
echo "exports: $(printf '%s\n' "$syms" | grep -c '^tee_') tee_ symbols, nothing else"

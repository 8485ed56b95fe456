# Shared helpers of the shell end-to-end tests (sourced, not run). The caller
# sets $scratch; pass and fail count the checks.
pass=0; fail=0
check() {  # name expected_exit command...
  name="$1"; want="$2"; shift 2
  "$@" > "$scratch/out" 2> "$scratch/err"; got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $name: exit $got, want $want"; cat "$scratch/out" "$scratch/err"; fi
}
contains() {  # name text (in the last check's output)
  if grep -q "$2" "$scratch/out"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: output lacks $2"; cat "$scratch/out"; fi
}

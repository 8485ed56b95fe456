#!/bin/sh
# The public header compiles alone as C89, C99 and C++20 without warnings.
set -eu
cc="$1"; cxx="$2"; header="$3"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '#include "%s"\nint main(void) { return TEE_OK; }\n' "$header" > "$tmp/t.c"
cp "$tmp/t.c" "$tmp/t.cpp"
"$cc" -std=c89 -Wall -Wextra -pedantic -Werror -c "$tmp/t.c" -o "$tmp/a.o"
"$cc" -std=c99 -Wall -Wextra -pedantic -Werror -c "$tmp/t.c" -o "$tmp/b.o"
"$cxx" -std=c++20 -Wall -Wextra -pedantic -Werror -c "$tmp/t.cpp" -o "$tmp/c.o"
echo "header compiles as C89, C99 and C++20"

# The warning set of STYLE.md, hardening flags and the sanitizer switch.
function(tee_warnings target)
  get_target_property(type ${target} TYPE)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wformat=2
    $<$<COMPILE_LANGUAGE:CXX>:-Wold-style-cast>
    # gcc 12 gives false -Wrestrict reports inside libstdc++'s string
    # assignment when Boost.Multiprecision's str() is inlined (GCC bug 105329).
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
    # clang checks the GUARDED_BY/REQUIRES annotations (core/thread_annotations.h).
    $<$<COMPILE_LANG_AND_ID:CXX,Clang>:-Wthread-safety>
    -fstack-protector-strong
    $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
  if(TEE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(type STREQUAL "EXECUTABLE" OR type STREQUAL "MODULE_LIBRARY" OR type STREQUAL "SHARED_LIBRARY")
    target_link_options(${target} PRIVATE -Wl,-z,relro -Wl,-z,now)
  endif()
endfunction()

if(TEE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TEE_FUZZ needs clang (CC=clang-14 CXX=clang++-14)")
  endif()
  # Coverage for libFuzzer in every library, ASan+UBSan everywhere.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(TEE_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(TEE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
# The C hosts (abi_c_test, the reference host, abi_verify) dlopen a C++
# module: with clang the runtime's C++ half (UBSan's vptr checks, TSan's
# operator new) must be in those executables too.
if(CMAKE_C_COMPILER_ID STREQUAL "Clang" AND NOT TEE_SANITIZE STREQUAL "")
  add_link_options($<$<LINK_LANGUAGE:C>:-fsanitize-link-c++-runtime> $<$<LINK_LANGUAGE:C>:-lstdc++>)
endif()
if(NOT TEE_SANITIZE MATCHES "^(|address|thread)$")
  message(FATAL_ERROR "TEE_SANITIZE must be '', 'address' or 'thread'")
endif()

# NVIDIA RIMs (XML-DSig over xmlsec1) and NRAS detached EATs (issue 11, branch
# nvrim): standalone pure modules the NVIDIA verifier (tenzro_nvidia) links.
pkg_check_modules(XMLSEC1 REQUIRED IMPORTED_TARGET xmlsec1-openssl)

add_library(tenzro_nvidia_rim STATIC
  ${CMAKE_CURRENT_LIST_DIR}/rim.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rim_verify.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nras.cpp)
target_link_libraries(tenzro_nvidia_rim PUBLIC tenzro_attestation tenzro_crypto
                      PRIVATE PkgConfig::XMLSEC1 OpenSSL::Crypto)
tee_warnings(tenzro_nvidia_rim)

# The RIM signer and NRAS token signer with their committed development keys:
# tests, fuzz seeds and benches only, never the plugin module.
add_library(tenzro_nvidia_rim_sim STATIC
  ${CMAKE_CURRENT_LIST_DIR}/sim/rim_dev_pki_data.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim/rim_signer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sim/nras_signer.cpp)
target_link_libraries(tenzro_nvidia_rim_sim PUBLIC tenzro_nvidia_rim tenzro_crypto_testing
                      PRIVATE PkgConfig::XMLSEC1 OpenSSL::Crypto)
tee_warnings(tenzro_nvidia_rim_sim)

# One-off generator of sim/rim_dev_pki_data.cpp (run once; see its header).
add_executable(make_nvidia_rim_dev_pki EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/sim/make_rim_dev_pki.cpp)
target_link_libraries(make_nvidia_rim_dev_pki PRIVATE tenzro_crypto tenzro_crypto_testing)
tee_warnings(make_nvidia_rim_dev_pki)

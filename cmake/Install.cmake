# Install and package (issue 13).
#
#   lib/tenzro/libtenzro_tee.so     the plugin: a MODULE, loaded with dlopen by path.
#                                   It has no soname on purpose: nothing links
#                                   against it, and its ABI is negotiated at run
#                                   time (tee_negotiate: the host passes the
#                                   TEE_ABI_VERSION it was built for; the table
#                                   carries version and size; tee_abi_hash names
#                                   the header). A soname would promise a
#                                   link-time compatibility that is not the contract.
#   include/tenzro_tee.h            the C header (C89/C99/C++)
#   bin/tenzro-tee                  the CLI
#   share/tenzro-tee/*.toml         example configs
#   lib/cmake/tenzro-tee/           CMake package: tenzro::tee_header, TENZRO_TEE_PLUGIN
#   lib/pkgconfig/tenzro-tee.pc     pkg-config: Cflags for the header, plugin path variable
# The version is the project version (CMakeLists.txt): plugin/version.h is
# generated from it, so `tenzro-tee --version`, status() and the package agree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TEE_PLUGIN_DIR ${CMAKE_INSTALL_LIBDIR}/tenzro)
install(TARGETS tenzro_tee LIBRARY DESTINATION ${TEE_PLUGIN_DIR} COMPONENT runtime)
install(TARGETS tenzro-tee RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/abi/tenzro_tee.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/config/example-node.toml ${PROJECT_SOURCE_DIR}/config/devnet.toml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tenzro-tee COMPONENT runtime)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tenzro-tee-config.cmake.in
  ${PROJECT_BINARY_DIR}/tenzro-tee-config.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tenzro-tee
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR TEE_PLUGIN_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tenzro-tee-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tenzro-tee-config.cmake
              ${PROJECT_BINARY_DIR}/tenzro-tee-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tenzro-tee COMPONENT runtime)
configure_file(${PROJECT_SOURCE_DIR}/cmake/tenzro-tee.pc.in ${PROJECT_BINARY_DIR}/tenzro-tee.pc
               @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tenzro-tee.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT runtime)

# CPack .deb: Depends computed by dpkg-shlibdeps from what the installed
# binaries actually link (libsodium23, librocksdb7.8, libssl3, ...).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tenzro-tee)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "tenzro-tee maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "TEE attestation verifier plugin for validator nodes (Intel TDX, AMD SEV-SNP, ...)")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)

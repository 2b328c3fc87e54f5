# `cmake --install`: libcohsim (shared and static), the public headers, a
# pkg-config file (cohsim.pc), a CMake package (find_package(cohsim): the
# targets cohsim::cohsim, shared, and cohsim::cohsim_static), the cohsim
# binary, its man pages and its bash completion. `cpack -G DEB` packages the
# same. The prefix is CMAKE_INSTALL_PREFIX, as usual.
include(CMakePackageConfigHelpers)

install(TARGETS cohsim cohsim_shared EXPORT cohsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS cohsim-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/cohsim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cohsimTargets NAMESPACE cohsim::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cohsim)
configure_package_config_file(cmake/cohsimConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/cohsimConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cohsim)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cohsimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cohsimConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/cohsimConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cohsim)
# the .pc file finds its prefix from where it lies, so the DEB (prefix /usr)
# and a `cmake --install --prefix` elsewhere both give the right paths
file(RELATIVE_PATH COHSIM_PC_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" COHSIM_PC_PREFIX "${COHSIM_PC_PREFIX}")
configure_file(cmake/cohsim.pc.in ${CMAKE_CURRENT_BINARY_DIR}/cohsim.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cohsim.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES tools/completion/cohsim.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME cohsim)
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cohsim/examples)


# Man pages, each from one source: cohsim(1) from the binary's own command
# and option tables (`cohsim help --man`), cohsim-litmus(5) from
# docs/litmus.md (scripts/md2man.py).
set(COHSIM_MAN_DIR ${CMAKE_CURRENT_BINARY_DIR}/man)
add_custom_command(OUTPUT ${COHSIM_MAN_DIR}/cohsim.1
  COMMAND ${CMAKE_COMMAND} -E make_directory ${COHSIM_MAN_DIR}
  COMMAND sh -c "\"$<TARGET_FILE:cohsim-cli>\" help --man > \"${COHSIM_MAN_DIR}/cohsim.1\""
  DEPENDS cohsim-cli VERBATIM)
set(COHSIM_MAN_PAGES ${COHSIM_MAN_DIR}/cohsim.1)
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_custom_command(OUTPUT ${COHSIM_MAN_DIR}/cohsim-litmus.5
    COMMAND ${CMAKE_COMMAND} -E make_directory ${COHSIM_MAN_DIR}
    COMMAND sh -c "\"${Python3_EXECUTABLE}\" \"${CMAKE_CURRENT_SOURCE_DIR}/scripts/md2man.py\" \"${CMAKE_CURRENT_SOURCE_DIR}/docs/litmus.md\" cohsim-litmus 5 \"the litmus test format of cohsim\" > \"${COHSIM_MAN_DIR}/cohsim-litmus.5\""
    DEPENDS scripts/md2man.py docs/litmus.md VERBATIM)
  list(APPEND COHSIM_MAN_PAGES ${COHSIM_MAN_DIR}/cohsim-litmus.5)
  install(FILES ${COHSIM_MAN_DIR}/cohsim-litmus.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
else()
  message(STATUS "cohsim: no python3, so no cohsim-litmus(5) man page")
endif()
add_custom_target(man ALL DEPENDS ${COHSIM_MAN_PAGES})
install(FILES ${COHSIM_MAN_DIR}/cohsim.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_PACKAGE_NAME cohsim)
set(CPACK_PACKAGE_VENDOR "cohsim")
set(CPACK_PACKAGE_CONTACT "cohsim developers <cohsim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "deterministic simulator and checker for cache-coherence bugs in kernel I/O code")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
include(CPack)

# Installation: header, both libraries, the CMake package, sct.pc, and the
# Debian package (cpack -G DEB). Included from the top CMakeLists.txt.
include(CMakePackageConfigHelpers)

install(FILES include/sct.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(SCT_INSTALLED_TARGETS sct_static sct_shared)
if(TARGET sct_apr)
  # The APR companion: its header, library, and sct-apr.pc (sct::sct_apr
  # in the CMake package).
  install(FILES include/sct_apr.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  list(APPEND SCT_INSTALLED_TARGETS sct_apr)
  configure_file(cmake/sct-apr.pc.in ${CMAKE_CURRENT_BINARY_DIR}/sct-apr.pc.in2
    @ONLY)
endif()
if(TARGET sct_mpi)
  # The MPI companion: its header, library, and sct-mpi.pc (sct::sct_mpi
  # in the CMake package, which then finds MPI for its users).
  install(FILES include/sct_mpi.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  list(APPEND SCT_INSTALLED_TARGETS sct_mpi)
  set(SCT_WITH_MPI ON)
  configure_file(cmake/sct-mpi.pc.in ${CMAKE_CURRENT_BINARY_DIR}/sct-mpi.pc.in2
    @ONLY)
else()
  set(SCT_WITH_MPI OFF)
endif()
install(TARGETS ${SCT_INSTALLED_TARGETS} EXPORT sctTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(SCT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sct)
install(EXPORT sctTargets NAMESPACE sct:: DESTINATION ${SCT_CMAKE_DIR})
configure_package_config_file(cmake/sctConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/sctConfig.cmake
  INSTALL_DESTINATION ${SCT_CMAKE_DIR})
# Within a major version the API only grows (see README, "Versions").
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/sctConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sctConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/sctConfigVersion.cmake
  DESTINATION ${SCT_CMAKE_DIR})

# pkg-config: static users also need the system libraries. On Windows
# -lsct is the DLL's import library (the static one is sct_static), whose
# users need dllimport: SCT_SHARED.
if(WIN32)
  set(SCT_PC_CFLAGS " -DSCT_SHARED")
  set(SCT_PC_PRIVATE_LIBS "-ladvapi32")
elseif(SCT_HAVE_LIBRT)
  set(SCT_PC_PRIVATE_LIBS "-pthread -lrt -lm")
else()
  set(SCT_PC_PRIVATE_LIBS "-pthread -lm")
endif()
# The prefix is written at install time, so `cmake --install --prefix P`
# and cpack's /usr both get a .pc that points where the files went.
configure_file(cmake/sct.pc.in ${CMAKE_CURRENT_BINARY_DIR}/sct.pc.in2 @ONLY)
set(SCT_PC_FILES sct)
if(TARGET sct_apr)
  list(APPEND SCT_PC_FILES sct-apr)
endif()
if(TARGET sct_mpi)
  list(APPEND SCT_PC_FILES sct-mpi)
endif()
foreach(pc_name ${SCT_PC_FILES})
  install(CODE "
    set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
    file(READ \"${CMAKE_CURRENT_BINARY_DIR}/${pc_name}.pc.in2\" pc)
    string(REGEX REPLACE \"^prefix=[^\\n]*\" \"prefix=\${prefix}\" pc \"\${pc}\")
    file(WRITE \"${CMAKE_CURRENT_BINARY_DIR}/${pc_name}.pc\" \"\${pc}\")")
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${pc_name}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

# cpack -G DEB
set(CPACK_PACKAGE_NAME libsct-dev)
set(CPACK_PACKAGE_VENDOR "sct developers")
# sct has no public home or mailing address yet, so none is invented: whoever
# builds a package to hand out names themselves as its maintainer.
set(SCT_PACKAGE_CONTACT "sct developers" CACHE STRING
    "Maintainer of the Debian package (\"Name <address>\")")
set(CPACK_PACKAGE_CONTACT "${SCT_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SCT_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "sct brings Python's multiprocessing.sharedctypes to C: scalars, arrays,
 structs and strings in shared memory, process-shared locks that report a
 dead owner, and child processes started by fork or spawn. This package
 holds the shared and static libraries, the header, and the CMake and
 pkg-config files.")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
include(CPack)

# Install rules (`cmake --install BUILD --prefix P`), GNU layout:
#   P/bin/tinyforge, P/bin/tinyforge-mpi     the command; `tinyforge sweep --mpi` execs its sibling <self>-mpi
#   P/lib/<multiarch>/tinyforge/*.so         the modules the command loads when needed (sim/core/modules.h)
#   P/include/tinyforge/hls/*.h              the header-only layer library
#   P/share/tinyforge/configs/               tech tables, model configs, macros, networks, sweep specs
#   P/share/tinyforge/rtl/lib/               Verilog building blocks copied into generated designs
#   P/share/tinyforge/scripts/               plotting and data-making scripts
#   P/share/cmake/tinyforge/                 tinyforgeConfig.cmake: find_package(tinyforge) -> tinyforge::hls
#   P/share/doc/tinyforge/                   README.md and docs/
# The binary finds P/share/tinyforge from its own location (sim/core/util.h), so the tree can be moved.
include(CMakePackageConfigHelpers)

install(TARGETS tinyforge RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS tinyforge-sc tinyforge-onnx tinyforge-audio LIBRARY DESTINATION ${TF_INSTALL_MODULEDIR})
if(TARGET tinyforge-mpi)
  install(TARGETS tinyforge-mpi RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT mpi)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/hls/include/tinyforge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs DESTINATION ${TF_INSTALL_DATADIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/rtl/lib DESTINATION ${TF_INSTALL_DATADIR}/rtl)
# The scripts users run; not the repository's own (deps.sh, demo.sh, test.sh).
install(PROGRAMS scripts/plot_sweep.py scripts/plot_run.py scripts/make_digits_mlp.py scripts/make_jet_mlp.py
                 scripts/calibrate_cim.py scripts/train_acim_aware.py scripts/plot_acim_aware.py
        DESTINATION ${TF_INSTALL_DATADIR}/scripts)
install(FILES scripts/tfplot.py DESTINATION ${TF_INSTALL_DATADIR}/scripts)
# README.md beside docs/, so its links (docs/cim.md, ...) still work.
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs DESTINATION ${CMAKE_INSTALL_DOCDIR})

# find_package(tinyforge CONFIG): the imported target tinyforge::hls and a version file. The library is
# header-only, so the package is architecture-independent and lives under share/.
set(TF_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/tinyforge)
install(TARGETS tinyforge_hls EXPORT tinyforgeTargets)
install(EXPORT tinyforgeTargets NAMESPACE tinyforge:: DESTINATION ${TF_CMAKE_DIR})
configure_package_config_file(cmake/tinyforgeConfig.cmake.in ${PROJECT_BINARY_DIR}/tinyforgeConfig.cmake
                              INSTALL_DESTINATION ${TF_CMAKE_DIR} PATH_VARS TF_INSTALL_DATADIR CMAKE_INSTALL_BINDIR)
# Before 1.0 a minor release may change the library: only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tinyforgeConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/tinyforgeConfig.cmake ${PROJECT_BINARY_DIR}/tinyforgeConfigVersion.cmake
        DESTINATION ${TF_CMAKE_DIR})

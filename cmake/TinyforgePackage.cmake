# Debian package (`cpack` in the build directory, or `cmake --build BUILD --target package`):
#   tinyforge_X.Y.Z_ARCH.deb      the command, the HLS headers and CMake package, the data, scripts and docs
#   tinyforge-mpi_X.Y.Z_ARCH.deb  tinyforge-mpi (when built), in its own package so that only MPI users pull
#                                 in Debian's OpenMPI libraries
# Depends comes from dpkg-shlibdeps (the Debian packages of the shared libraries the binaries load); the tools
# tinyforge runs (Verilator, yosys, Icarus Verilog, g++ and make for the generated projects) and the plotting
# scripts' Python packages are Recommends.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tinyforge)
set(CPACK_PACKAGE_VENDOR "tinyforge")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(TINYFORGE_PACKAGE_MAINTAINER "tinyforge maintainers <tinyforge@localhost>"
    CACHE STRING "Maintainer field of the Debian package: 'Name <email>'")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TINYFORGE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION electronics)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL tinyforge)
if(TARGET tinyforge-mpi)
  list(APPEND CPACK_COMPONENTS_ALL mpi)
endif()
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)  # tinyforge-mpi Depends: tinyforge (= X.Y.Z)

# CPack's SHLIBDEPS runs dpkg-shlibdeps (Debian's dpkg-dev) on the files `file` says are executables.
find_program(TF_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(TF_FILE_COMMAND file)
if(TF_DPKG_SHLIBDEPS AND TF_FILE_COMMAND)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # The Debian 12 runtime packages of the libraries tinyforge links (ldd build/sim/app/tinyforge | dpkg -S).
  message(STATUS "dpkg-shlibdeps or file not found (Debian's dpkg-dev, file): the .deb's Depends is the "
                 "Debian 12 library list written in cmake/TinyforgePackage.cmake")
  set(CPACK_DEBIAN_TINYFORGE_PACKAGE_DEPENDS
      "libc6, libgcc-s1, libstdc++6, libsystemc (>= 2.3.4), libboost-program-options1.74.0, libprotobuf32, libonnx1, libmuparser2v5, libyaml-cpp0.7")
  set(CPACK_DEBIAN_MPI_PACKAGE_DEPENDS "${CPACK_DEBIAN_TINYFORGE_PACKAGE_DEPENDS}, libopenmpi3")
endif()

set(CPACK_DEBIAN_TINYFORGE_PACKAGE_NAME tinyforge)
set(CPACK_DEBIAN_TINYFORGE_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_TINYFORGE_PACKAGE_RECOMMENDS
    "verilator, yosys, iverilog, g++, make, python3-matplotlib, python3-numpy")
set(CPACK_DEBIAN_TINYFORGE_PACKAGE_SUGGESTS "gtkwave, cmake, python3-sklearn, python3-onnx, python3-torch")
set(CPACK_COMPONENT_TINYFORGE_DESCRIPTION
    "design tool for tinyML hardware: CIM and neuromorphic models, HLS and Verilog
tinyforge simulates compute-in-memory macros and a Xylo-like neuromorphic core
with cycle-approximate SystemC models that compute real results, with energy,
area and latency per design point from technology tables; runs design-space
sweeps; and turns neural networks (ONNX or JSON) into bit-exact HLS C++ and
synthesizable Verilog checked with Verilator and costed with yosys.
This package holds the tinyforge command, its configurations, the header-only
HLS layer library with its CMake package (find_package(tinyforge)), the
plotting scripts and the documentation.")

set(CPACK_DEBIAN_MPI_PACKAGE_NAME tinyforge-mpi)
set(CPACK_DEBIAN_MPI_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_MPI_PACKAGE_RECOMMENDS "openmpi-bin")
set(CPACK_COMPONENT_MPI_DEPENDS tinyforge)
set(CPACK_COMPONENT_MPI_DESCRIPTION
    "design tool for tinyML hardware - sweeps on MPI
tinyforge-mpi runs the design points of a tinyforge sweep across the ranks of
an MPI job: mpirun -n K tinyforge sweep SPEC.json --mpi.")

include(CPack)

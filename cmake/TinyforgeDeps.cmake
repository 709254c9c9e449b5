# Third-party dependencies, all from Debian packages.
find_package(PkgConfig REQUIRED)

# SystemC 2.3.4 ships only a pkg-config file; give it an imported target.
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc)
if(NOT TARGET SystemC::systemc)
  add_library(SystemC::systemc INTERFACE IMPORTED)
  target_link_libraries(SystemC::systemc INTERFACE PkgConfig::SYSTEMC)
endif()

find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Catch2 2.13 REQUIRED)

# Verilator: used by the RTL cross-check; found here so every part of the tree sees it.
find_package(verilator HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator)
if(verilator_FOUND)
  message(STATUS "Verilator found: ${verilator_DIR}")
else()
  message(STATUS "Verilator not found: RTL cross-checks are disabled")
endif()

# OpenMPI (optional): `tinyforge sweep --mpi` runs through the tinyforge-mpi executable (sim/app).
set(MPI_CXX_SKIP_MPICXX ON)  # the C API from C++; no deprecated C++ bindings
find_package(MPI COMPONENTS CXX)

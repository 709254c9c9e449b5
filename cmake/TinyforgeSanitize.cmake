# Instrumented builds (docs/reliability.md). Both options are off in the default build.
#
# TINYFORGE_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer for everything the project compiles; any
#   report stops the process (no recovery), so a test that triggers one fails. tests/sanitize/run.sh uses it.
# TINYFORGE_FUZZ: clang only; the project is compiled with libFuzzer's coverage instrumentation plus ASan and
#   UBSan, and fuzz/ builds one libFuzzer executable per harness. fuzz/run.sh uses it.
option(TINYFORGE_SANITIZE "Build with -fsanitize=address,undefined (tests/sanitize/run.sh)" OFF)
option(TINYFORGE_FUZZ "Build the libFuzzer harnesses in fuzz/ (clang; fuzz/run.sh)" OFF)

if(TINYFORGE_SANITIZE OR TINYFORGE_FUZZ)
  set(TF_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  if(TINYFORGE_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "TINYFORGE_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
    endif()
    list(APPEND TF_SAN_FLAGS -fsanitize=fuzzer-no-link)
  endif()
  add_compile_options(${TF_SAN_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()

# Writes OUT (a header defining TINYFORGE_GIT_REVISION) from `git describe` of SRC, only when it changed, so a
# commit recompiles one file. Run at every build by the tf_git_revision target (sim/sweep/CMakeLists.txt).
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --abbrev=12
                OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR rev STREQUAL "")
  set(rev "unknown (not built from a git checkout)")
endif()
set(text "#define TINYFORGE_GIT_REVISION \"${rev}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()

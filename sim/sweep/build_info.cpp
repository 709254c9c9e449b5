#include "sweep/build_info.h"

#include "git_revision.h"

namespace tf::sweep {

json build_info() {
  return {{"git_revision", TINYFORGE_GIT_REVISION},
          {"compiler", std::string("g++ ") + __VERSION__},
          {"systemc", TF_SYSTEMC_VERSION},
          {"muparser", TF_MUPARSER_VERSION},
          {"boost", TF_BOOST_VERSION},
          {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                std::to_string(NLOHMANN_JSON_VERSION_PATCH)}};
}

}  // namespace tf::sweep

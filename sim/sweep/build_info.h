// What a sweep's manifest records about the binary that ran it: the git revision of the source (`git describe`
// at build time, "-dirty" with uncommitted changes) and the versions of the libraries it was built with.
#pragma once
#include "core/config.h"

namespace tf::sweep {

json build_info();

}  // namespace tf::sweep

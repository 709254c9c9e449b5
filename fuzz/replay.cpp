// Replays saved inputs through a harness with the normal compiler: tf_fuzz_replay NAME DIR|FILE...
// Every input must end as accepted or as an input error; a crash, an unexpected exception (std::terminate)
// or a sanitizer report (in a sanitized build) fails the run. An empty directory is an error too, so that a
// regression directory that went missing cannot pass silently.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "harness.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: tf_fuzz_replay HARNESS DIR|FILE...\nharnesses:";
    for (const auto& h : tf::fuzz::harnesses()) std::cerr << " " << h.first;
    std::cerr << "\n";
    return 2;
  }
  auto it = tf::fuzz::harnesses().find(argv[1]);
  if (it == tf::fuzz::harnesses().end()) {
    std::cerr << "tf_fuzz_replay: no harness '" << argv[1] << "'\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (int a = 2; a < argc; ++a) {
    if (fs::is_directory(argv[a])) {
      for (const auto& e : fs::directory_iterator(argv[a]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(argv[a])) {
      files.push_back(argv[a]);
    } else {
      std::cerr << "tf_fuzz_replay: " << argv[a] << ": no such file or directory\n";
      return 2;
    }
  }
  if (files.empty()) {
    std::cerr << "tf_fuzz_replay: no inputs found\n";
    return 2;
  }
  std::sort(files.begin(), files.end());
  tf::fuzz::init_process();
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::cout << f.filename().string() << " (" << bytes.size() << " bytes)" << std::endl;
    tf::fuzz::run_one(it->second, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << files.size() << " inputs replayed through '" << argv[1] << "'\n";
  return 0;
}

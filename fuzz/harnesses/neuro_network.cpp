// Neuromorphic networks at the default chip limits; an accepted network must print (network_to_text) to a
// file that loads to the same network.
#include "harness.h"
#include "neuro/network.h"

TF_FUZZ_HARNESS(neuro_network) {
  const std::string file = (tf::fuzz::temp_dir() / "network.json").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  const tf::neuro::ChipLimits lim;
  const tf::neuro::Network n = tf::neuro::load_network(file, lim);
  const std::string text = tf::neuro::network_to_text(n);
  const std::string again = (tf::fuzz::temp_dir() / "network_again.json").string();
  tf::fuzz::write_file(again, text);
  if (tf::neuro::network_to_text(tf::neuro::load_network(again, lim)) != text)
    throw std::logic_error("an accepted network does not read back from its own text");
}

// Audio files for the keyword front end: the bytes read by libsndfile as a WAV file (read_audio, in blocks
// whatever length the header claims), then, when they hold mono audio, the default front end over them.
#include <cmath>

#include "audio/frontend.h"
#include "harness.h"

TF_FUZZ_HARNESS(audio) {
  const std::string file = (tf::fuzz::temp_dir() / "clip.wav").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  try {
    const tf::audio::Audio a = tf::audio::read_audio(file);
    if (a.channels < 1 || a.samples.size() % a.channels) throw std::logic_error("samples not a whole number of frames");
    if (a.channels == 1) {
      tf::audio::FrontendConfig cfg;
      cfg.sample_rate = 16000;
      const tf::audio::Frontend fe(cfg);
      for (const auto& row : fe.features(a.samples))
        for (double v : row)
          if (!std::isfinite(v)) throw std::logic_error("a feature that is not finite");
    }
  } catch (const tf::InputError&) {
    // rejected: expected for most inputs
  }
}

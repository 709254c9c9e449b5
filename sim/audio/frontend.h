// The keyword-spotting audio front end (docs/kws.md): WAV reading with libsndfile, and log-mel or MFCC
// features with FFTW, defined exactly so that an independent implementation gives the same numbers:
//   frames      frame f holds samples [f S, f S + W), W = round(window_ms rate / 1000), S likewise from
//               stride_ms; 1 + floor((N - W) / S) frames (no padding)
//   window      periodic Hann, w[n] = 0.5 - 0.5 cos(2 pi n / W)
//   spectrum    |X[k]|^2 of the real FFT of the windowed frame zero-padded to the FFT size (a power of two,
//               the smallest >= W unless fft_size is given), k = 0 .. fft/2
//   mel bank    mel_bins triangles whose edges and centres are mel_bins + 2 points equally spaced in HTK mel,
//               2595 log10(1 + f / 700), from f_min to f_max; weights evaluated at the bins' frequencies
//               k rate / fft (continuous, not snapped to bins)
//   log-mel     ln(sum_k weight[m][k] |X[k]|^2 + log_floor)
//   MFCC        the orthonormal DCT-II of the log-mel vector, its first `coefficients` terms
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace tf::audio {

struct FrontendConfig {
  int sample_rate = 16000;
  double window_ms = 40, stride_ms = 20;
  int fft_size = 0;  // 0 = the smallest power of two >= the window
  int mel_bins = 40;
  double f_min_hz = 20, f_max_hz = 8000;
  bool mfcc = true;      // false: log-mel features
  int coefficients = 20;  // MFCC terms kept (<= mel_bins)
  double log_floor = 1e-6;
};

// Throws std::invalid_argument naming the field when CFG cannot describe a front end (the constructor also
// refuses a mel filter with no FFT bin under it).
void validate(const FrontendConfig& cfg);

struct Audio {
  int sample_rate = 0, channels = 0;
  std::vector<double> samples;  // channel 0 .. channels-1 interleaved, in [-1, 1) (PCM scaled by 1 / 2^(bits-1))
};

constexpr long long kMaxAudioSamples = 1LL << 26;  // over all channels: about 70 minutes of 16 kHz mono
constexpr long long kMaxFeatureValues = 1LL << 23;  // frames x values per frame (features.csv about 170 MB)
constexpr double kMaxSampleMagnitude = 1000;       // float files may exceed full scale (1), not without bound

// Reads an audio file libsndfile knows (WAV, FLAC, ...) in blocks, whatever length its header claims. Throws
// tf::InputError naming the file when it is not audio, cannot be read, holds more than kMaxAudioSamples or
// holds a sample that is not finite or beyond kMaxSampleMagnitude (float formats).
Audio read_audio(const std::string& path);

class Frontend {
 public:
  explicit Frontend(const FrontendConfig& cfg);  // validates CFG
  ~Frontend();
  Frontend(const Frontend&) = delete;
  Frontend& operator=(const Frontend&) = delete;

  int window_samples() const { return window_; }
  int stride_samples() const { return stride_; }
  int fft_size() const { return fft_; }
  int features_per_frame() const { return cfg_.mfcc ? cfg_.coefficients : cfg_.mel_bins; }
  long long frames(long long samples) const;
  // Features of mono SAMPLES at cfg.sample_rate: frames() rows of features_per_frame() values. It uses the
  // instance's FFT buffer: one thread at a time per instance (an instance per thread is fine).
  std::vector<std::vector<double>> features(const std::vector<double>& samples) const;

 private:
  FrontendConfig cfg_;
  int window_ = 0, stride_ = 0, fft_ = 0;
  std::vector<double> hann_;
  std::vector<std::vector<std::pair<int, double>>> mel_;  // per mel bin: (FFT bin, weight) where weight > 0
  std::vector<std::vector<double>> dct_;                  // coefficients x mel_bins
  struct Fft;
  std::unique_ptr<Fft> fftw_;
};

}  // namespace tf::audio

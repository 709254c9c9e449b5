#include "audio/frontend.h"

#include <cmath>
#include <mutex>
#include <stdexcept>

#include <fftw3.h>
#include <sndfile.h>

#include "core/diagnostics.h"
#include "core/util.h"

namespace tf::audio {

namespace {
std::string num(double v) { return format_double(v); }
double hz_to_mel(double f) { return 2595.0 * std::log10(1.0 + f / 700.0); }
double mel_to_hz(double m) { return 700.0 * (std::pow(10.0, m / 2595.0) - 1.0); }
// FFTW's planner is not thread-safe; execution with a plan is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

void validate(const FrontendConfig& c) {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (c.sample_rate < 1000 || c.sample_rate > 384000)
    bad("sample_rate: got " + std::to_string(c.sample_rate) + " Hz; expected 1000 to 384000");
  const double w = std::round(c.window_ms * c.sample_rate / 1000.0), s = std::round(c.stride_ms * c.sample_rate / 1000.0);
  if (!(w >= 2) || w > 65536)
    bad("window_ms: got " + num(c.window_ms) + " ms, " + num(w) + " samples; expected 2 to 65536 samples");
  if (!(s >= 1) || s > 65536)
    bad("stride_ms: got " + num(c.stride_ms) + " ms, " + num(s) + " samples; expected 1 to 65536 samples");
  if (c.fft_size != 0 && (c.fft_size < w || c.fft_size > 131072 || (c.fft_size & (c.fft_size - 1))))
    bad("fft_size: got " + std::to_string(c.fft_size) + "; expected 0 (automatic) or a power of two from the window (" +
        num(w) + " samples) to 131072");
  if (c.mel_bins < 1 || c.mel_bins > 512) bad("mel_bins: got " + std::to_string(c.mel_bins) + "; expected 1 to 512");
  if (!(c.f_min_hz >= 0) || !(c.f_max_hz > c.f_min_hz) || c.f_max_hz > c.sample_rate / 2.0)
    bad("f_max_hz: got " + num(c.f_min_hz) + " to " + num(c.f_max_hz) + " Hz; expected 0 <= f_min < f_max <= " +
        num(c.sample_rate / 2.0) + " Hz (half the sample rate)");
  if (c.mfcc && (c.coefficients < 1 || c.coefficients > c.mel_bins))
    bad("coefficients: got " + std::to_string(c.coefficients) + "; expected 1 to mel_bins (" +
        std::to_string(c.mel_bins) + ")");
  if (!(c.log_floor > 0) || !std::isfinite(c.log_floor))
    bad("log_floor: got " + num(c.log_floor) + "; expected a finite number > 0");
}

Audio read_audio(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = nullptr;
  std::string why;
  {
    // libsndfile keeps the reason an open failed in one global: open and read it under one lock, so that
    // runs on other threads (a sweep's) cannot swap reasons.
    static std::mutex open_mutex;
    std::lock_guard<std::mutex> lock(open_mutex);
    f = sf_open(path.c_str(), SFM_READ, &info);
    if (!f) why = sf_strerror(nullptr);
  }
  if (!f)
    throw InputError(path + ": not an audio file libsndfile can read (" + why + "); expected a WAV (or FLAC, AIFF) file");
  struct Closer {
    SNDFILE* f;
    ~Closer() { sf_close(f); }
  } closer{f};
  if (info.channels < 1 || info.channels > 64 || info.samplerate < 1)
    throw InputError(path + ": " + std::to_string(info.channels) + " channels at " + std::to_string(info.samplerate) +
                     " Hz; expected 1 to 64 channels at a positive rate");
  // Read in blocks rather than trusting the header's frame count: a hostile header may claim any length.
  Audio a;
  a.sample_rate = info.samplerate;
  a.channels = info.channels;
  const sf_count_t block = 65536;
  std::vector<double> buf((size_t)block * info.channels);
  for (;;) {
    const sf_count_t got = sf_readf_double(f, buf.data(), block);
    if (got <= 0) break;
    if ((long long)a.samples.size() + (long long)got * info.channels > kMaxAudioSamples)
      throw InputError(path + ": more than " + std::to_string(kMaxAudioSamples) + " samples; expected at most that (" +
                       std::to_string(kMaxAudioSamples / 16000 / 60) + " minutes of mono audio at 16 kHz)");
    for (sf_count_t i = 0; i < got * info.channels; ++i)
      if (!(std::abs(buf[i]) <= kMaxSampleMagnitude))
        throw InputError(path + ": sample " + format_double(buf[i]) + " at frame " +
                         std::to_string(a.samples.size() / info.channels + i / info.channels) +
                         "; expected finite samples within +-" + format_double(kMaxSampleMagnitude) +
                         " (full scale is 1)");
    a.samples.insert(a.samples.end(), buf.begin(), buf.begin() + got * info.channels);
  }
  if (sf_error(f) != SF_ERR_NO_ERROR)
    throw InputError(path + ": " + sf_strerror(f) + " after " + std::to_string(a.samples.size() / info.channels) +
                     " frames; expected a readable audio file");
  return a;
}

struct Frontend::Fft {
  double* in = nullptr;
  fftw_complex* out = nullptr;
  fftw_plan plan = nullptr;
  ~Fft() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    if (plan) fftw_destroy_plan(plan);
    fftw_free(in);
    fftw_free(out);
  }
};

Frontend::Frontend(const FrontendConfig& cfg) : cfg_(cfg) {
  validate(cfg);
  window_ = (int)std::round(cfg.window_ms * cfg.sample_rate / 1000.0);
  stride_ = (int)std::round(cfg.stride_ms * cfg.sample_rate / 1000.0);
  fft_ = cfg.fft_size;
  if (fft_ == 0)
    for (fft_ = 1; fft_ < window_;) fft_ *= 2;
  hann_.resize(window_);
  for (int n = 0; n < window_; ++n) hann_[n] = 0.5 - 0.5 * std::cos(2.0 * M_PI * n / window_);
  // Mel triangles on the bins' frequencies.
  const int bins = fft_ / 2 + 1, M = cfg.mel_bins;
  const double m0 = hz_to_mel(cfg.f_min_hz), m1 = hz_to_mel(cfg.f_max_hz);
  std::vector<double> edge(M + 2);
  for (int i = 0; i < M + 2; ++i) edge[i] = mel_to_hz(m0 + (m1 - m0) * i / (M + 1));
  mel_.resize(M);
  for (int m = 0; m < M; ++m) {
    for (int k = 0; k < bins; ++k) {
      const double f = (double)k * cfg.sample_rate / fft_;
      const double w = std::min((f - edge[m]) / (edge[m + 1] - edge[m]), (edge[m + 2] - f) / (edge[m + 2] - edge[m + 1]));
      if (w > 0) mel_[m].push_back({k, w});
    }
    // A filter narrower than the FFT's bin spacing would give ln(log_floor) in every frame.
    if (mel_[m].empty())
      throw std::invalid_argument(
          "mel_bins: got " + std::to_string(M) + " from " + num(cfg.f_min_hz) + " to " + num(cfg.f_max_hz) +
          " Hz; filter " + std::to_string(m) + " (" + num(edge[m]) + " to " + num(edge[m + 2]) +
          " Hz) has no FFT bin under it (bins every " + num((double)cfg.sample_rate / fft_) +
          " Hz); expected fewer mel bins, a wider range or a larger fft_size");
  }
  if (cfg.mfcc) {
    dct_.assign(cfg.coefficients, std::vector<double>(M));
    for (int i = 0; i < cfg.coefficients; ++i)
      for (int m = 0; m < M; ++m)
        dct_[i][m] = std::sqrt(2.0 / M) * (i == 0 ? std::sqrt(0.5) : 1.0) * std::cos(M_PI * i * (m + 0.5) / M);
  }
  fftw_ = std::make_unique<Fft>();
  std::lock_guard<std::mutex> lock(planner_mutex());
  fftw_->in = fftw_alloc_real(fft_);
  fftw_->out = fftw_alloc_complex(bins);
  if (!fftw_->in || !fftw_->out) throw std::bad_alloc();
  fftw_->plan = fftw_plan_dft_r2c_1d(fft_, fftw_->in, fftw_->out, FFTW_ESTIMATE);
  if (!fftw_->plan) throw std::runtime_error("FFTW could not plan a real FFT of " + std::to_string(fft_));
}

Frontend::~Frontend() = default;

long long Frontend::frames(long long n) const { return n < window_ ? 0 : 1 + (n - window_) / stride_; }

std::vector<std::vector<double>> Frontend::features(const std::vector<double>& x) const {
  const long long F = frames((long long)x.size());
  const int bins = fft_ / 2 + 1, M = cfg_.mel_bins;
  std::vector<std::vector<double>> out((size_t)F);
  std::vector<double> power(bins), logmel(M);
  // One FFT buffer per Frontend: features() of one instance runs on one thread at a time.
  double* in = fftw_->in;
  fftw_complex* spec = fftw_->out;
  for (long long f = 0; f < F; ++f) {
    const double* frame = x.data() + f * stride_;
    for (int n = 0; n < window_; ++n) in[n] = frame[n] * hann_[n];
    for (int n = window_; n < fft_; ++n) in[n] = 0.0;
    fftw_execute(fftw_->plan);
    for (int k = 0; k < bins; ++k) power[k] = spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
    for (int m = 0; m < M; ++m) {
      double e = 0;
      for (const auto& kw : mel_[m]) e += kw.second * power[kw.first];
      logmel[m] = std::log(e + cfg_.log_floor);
    }
    if (!cfg_.mfcc) {
      out[f] = logmel;
      continue;
    }
    out[f].resize(cfg_.coefficients);
    for (int i = 0; i < cfg_.coefficients; ++i) {
      double c = 0;
      for (int m = 0; m < M; ++m) c += dct_[i][m] * logmel[m];
      out[f][i] = c;
    }
  }
  return out;
}

}  // namespace tf::audio

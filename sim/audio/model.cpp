// `tinyforge sim kws_frontend --audio FILE.wav`: the keyword-spotting front end (frontend.h) on one audio file.
// It writes the features (features.csv: one row per frame) into the run record. docs/kws.md.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "audio/frontend.h"
#include "core/context.h"
#include "core/diagnostics.h"
#include "core/registry.h"
#include "core/schema.h"
#include "core/util.h"

namespace tf::audio {
namespace {

struct Params {
  std::string file;
  FrontendConfig fe;
  std::string kind = "mfcc";
};

const Schema<Params>& schema() {
  static const Schema<Params> s = [] {
    using P_ = Params;
    Schema<P_> P;
    P.file("audio.file", &P_::file, "", "", "the audio file (WAV, FLAC or AIFF; mono at frontend.sample_rate)");
    auto fe_int = [&](const char* path, int FrontendConfig::*f, int def, int lo, int hi, const char* unit,
                      const char* desc) {
      P.custom(
          path, [f](P_& p, const json& v) { p.fe.*f = v.get<int>(); },
          [=](ParamSet& ps) -> ParamSpec& { return ps.integer(path, def, lo, hi, unit, desc); });
    };
    auto fe_real = [&](const char* path, double FrontendConfig::*f, double def, double lo, double hi,
                       const char* unit, const char* desc) {
      P.custom(
          path, [f](P_& p, const json& v) { p.fe.*f = v.get<double>(); },
          [=](ParamSet& ps) -> ParamSpec& { return ps.real(path, def, lo, hi, unit, desc); });
    };
    fe_int("frontend.sample_rate", &FrontendConfig::sample_rate, 16000, 1000, 384000, "Hz",
           "sample rate the audio must have (another rate is an error: resample it first)");
    fe_real("frontend.window_ms", &FrontendConfig::window_ms, 40, 0.01, 10000, "ms", "analysis window (Hann)");
    fe_real("frontend.stride_ms", &FrontendConfig::stride_ms, 20, 0.01, 10000, "ms", "hop between frames");
    fe_int("frontend.fft_size", &FrontendConfig::fft_size, 0, 0, 131072, "",
           "FFT length, a power of two >= the window; 0 = the smallest such");
    fe_int("frontend.mel_bins", &FrontendConfig::mel_bins, 40, 1, 512, "", "mel filters (HTK mel scale)");
    fe_real("frontend.f_min_hz", &FrontendConfig::f_min_hz, 20, 0, 192000, "Hz", "lowest edge of the mel bank");
    fe_real("frontend.f_max_hz", &FrontendConfig::f_max_hz, 8000, 1, 192000, "Hz",
            "highest edge of the mel bank (at most half the sample rate)");
    P.choice("frontend.features", &P_::kind, "mfcc", {"mfcc", "logmel"},
             "mfcc: the orthonormal DCT-II of the log-mel vector, frontend.coefficients terms; logmel: the "
             "log-mel vector itself");
    fe_int("frontend.coefficients", &FrontendConfig::coefficients, 20, 1, 512, "",
           "MFCC terms kept (at most frontend.mel_bins)");
    fe_real("frontend.log_floor", &FrontendConfig::log_floor, 1e-6, 1e-30, 1e30, "",
            "added to each mel energy before the log (the energy of a full-scale sine is about window^2 / 8)");
    return P;
  }();
  return s;
}

class KwsFrontendModel : public Model {
 public:
  std::string name() const override { return "kws_frontend"; }
  std::string summary() const override {
    return "keyword-spotting audio front end: MFCC or log-mel features of a WAV file (FFTW, libsndfile)";
  }
  std::string default_config() const override { return "audio/kws_frontend.json"; }
  std::vector<CliOption> cli_options() const override {
    return {{"audio", "FILE", "the audio file (WAV) to compute the features of",
             [](const std::string& v) {
               if (v.empty()) throw InputError("--audio: got ''; expected an audio file (WAV)");
               return std::vector<std::string>{"audio.file=" + std::filesystem::absolute(v).string()};
             }}};
  }
  void declare(ParamSet& P) const override { P = schema().params(); }
  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.label("features", "mfcc or logmel");
    M.neither("frames", "", "feature frames");
    M.neither("features_per_frame", "", "values per frame");
    M.neither("audio_s", "s", "length of the audio");
    M.neither("sample_rate", "Hz", "sample rate");
    M.neither("window_samples", "", "samples per window");
    M.neither("stride_samples", "", "samples per hop");
    M.neither("fft_size", "", "FFT length");
    M.neither("feature_min", "", "smallest feature value");
    M.neither("feature_max", "", "largest feature value");
    M.lower("sim_wall_s", "s", "wall-clock time of reading and the front end");
  }
  json run(RunContext& ctx) override {
    Params p = schema().read(ctx.config);
    p.fe.mfcc = p.kind == "mfcc";
    const auto t0 = std::chrono::steady_clock::now();
    if (p.file.empty()) throw InputError("audio.file: got ''; expected an audio file (--audio FILE.wav)");
    std::unique_ptr<Frontend> fe;
    try {
      fe = std::make_unique<Frontend>(p.fe);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("frontend.") + e.what());
    }
    const Audio a = read_audio(p.file);
    if (a.sample_rate != p.fe.sample_rate)
      throw InputError(p.file + ": sample rate " + std::to_string(a.sample_rate) + " Hz; expected " +
                       std::to_string(p.fe.sample_rate) + " Hz (frontend.sample_rate): resample it first, e.g. "
                       "sox IN.wav -r " + std::to_string(p.fe.sample_rate) + " OUT.wav");
    if (a.channels != 1)
      throw InputError(p.file + ": " + std::to_string(a.channels) + " channels; expected mono: mix it down "
                       "first, e.g. sox IN.wav -c 1 OUT.wav");
    if (fe->frames((long long)a.samples.size()) < 1)
      throw InputError(p.file + ": " + std::to_string(a.samples.size()) + " samples; expected at least one window (" +
                       std::to_string(fe->window_samples()) + " samples, frontend.window_ms)");
    const long long values = fe->frames((long long)a.samples.size()) * fe->features_per_frame();
    if (values > kMaxFeatureValues)
      throw InputError(p.file + ": " + std::to_string(fe->frames((long long)a.samples.size())) + " frames of " +
                       std::to_string(fe->features_per_frame()) + " values (frontend.stride_ms " +
                       format_double(p.fe.stride_ms) + " ms); expected at most " + std::to_string(kMaxFeatureValues) +
                       " values: a shorter file, a longer stride or fewer values per frame");
    const auto feats = fe->features(a.samples);
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    std::string csv = "frame,time_s";
    for (int i = 0; i < fe->features_per_frame(); ++i) csv += "," + std::string(p.fe.mfcc ? "c" : "mel") + std::to_string(i);
    csv += "\n";
    char buf[64];
    for (size_t f = 0; f < feats.size(); ++f) {
      std::snprintf(buf, sizeof buf, "%zu,%.17g", f, (double)(f * fe->stride_samples()) / a.sample_rate);
      csv += buf;
      for (double v : feats[f]) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        std::snprintf(buf, sizeof buf, ",%.17g", v);
        csv += buf;
      }
      csv += "\n";
    }
    ctx.out.write("features.csv", csv);
    ctx.log("kws_frontend: " + std::to_string(feats.size()) + " frames of " + std::to_string(fe->features_per_frame()) +
            " " + p.kind + " from " + p.file);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {{"model", "kws_frontend"},
            {"features", p.kind},
            {"frames", (int64_t)feats.size()},
            {"features_per_frame", fe->features_per_frame()},
            {"audio_s", (double)a.samples.size() / a.sample_rate},
            {"sample_rate", a.sample_rate},
            {"window_samples", fe->window_samples()},
            {"stride_samples", fe->stride_samples()},
            {"fft_size", fe->fft_size()},
            {"feature_min", lo},
            {"feature_max", hi},
            {"sim_wall_s", wall}};
  }
};

}  // namespace

TF_REGISTER_MODEL("kws_frontend", KwsFrontendModel);

}  // namespace tf::audio

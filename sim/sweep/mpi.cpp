#include "sweep/mpi.h"

#include <mpi.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace tf::sweep {
namespace {

constexpr int kTagJob = 1, kTagResult = 2;

class Session : public MpiSweep {
 public:
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  Executor coordinator(const std::vector<Prepared>& points) override {
    return [this, &points](const std::vector<Job>& jobs, const Reporter& report) {
      if (size_ < 2)
        throw InputError(
            "--mpi: needs at least 2 ranks (rank 0 hands out the points, the others run them); "
            "got 1: run it as 'mpirun -n K tinyforge sweep SPEC --mpi' with K >= 2");
      size_t next = 0;
      auto send_next = [&](int to) {
        long long idx = -1;
        if (next < jobs.size()) {
          idx = jobs[next++].point - points.data();
          ++busy_;
        }
        MPI_Send(&idx, 1, MPI_LONG_LONG, to, kTagJob, MPI_COMM_WORLD);
      };
      for (int r = 1; r < size_; ++r) send_next(r);
      released_ = true;  // every rank got a job or stop; from now on, a rank with no more jobs got stop
      while (busy_ > 0) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
          if (stop_requested()) return;  // run_sweep throws Interrupted; the session aborts the ranks
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        int n = 0;
        MPI_Get_count(&st, MPI_CHAR, &n);
        std::string text(n, '\0');
        MPI_Recv(text.data(), n, MPI_CHAR, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        --busy_;
        json j = json::parse(text);
        Evaluation ev;
        ev.hash = j.at("hash");
        ev.status = j.at("status");
        ev.wall_s = j.at("wall_s");
        ev.message = j.at("message");
        report(ev);
        send_next(st.MPI_SOURCE);
      }
    };
  }

  void serve(const EngineOptions& opt, const std::string& model, const std::string& base,
             const std::vector<Prepared>& points) override {
    for (;;) {
      long long idx = -1;
      MPI_Recv(&idx, 1, MPI_LONG_LONG, 0, kTagJob, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (idx < 0 || idx >= (long long)points.size()) break;
      Evaluation ev = evaluate_in_child(opt, model, base, points[idx]);
      std::string text =
          json{{"hash", ev.hash}, {"status", ev.status}, {"wall_s", ev.wall_s}, {"message", ev.message}}.dump();
      MPI_Send(text.data(), (int)text.size(), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
    }
    released_ = true;
  }

  int rank_ = 0, size_ = 1;
  long busy_ = 0;          // rank 0: jobs out
  bool released_ = false;  // rank 0: every other rank was told what to do; others: told to stop
};

}  // namespace

int run_with_mpi(int argc, char** argv, int (*command)(int, char**)) {
  MPI_Init(&argc, &argv);
  Session s;
  MPI_Comm_rank(MPI_COMM_WORLD, &s.rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &s.size_);
  set_mpi_sweep(&s);
  int rc = command(argc, argv);
  set_mpi_sweep(nullptr);
  if (s.rank_ == 0 && !s.released_) {  // rank 0 ended before handing out work (bad input, --dry-run, merge)
    long long stop = -1;
    for (int r = 1; r < s.size_; ++r) MPI_Send(&stop, 1, MPI_LONG_LONG, r, kTagJob, MPI_COMM_WORLD);
    s.released_ = true;
  }
  if (s.rank_ > 0 && !s.released_) {  // the command ended before serving (bad input, --dry-run): so did rank 0's
    long long job = -1;
    MPI_Recv(&job, 1, MPI_LONG_LONG, 0, kTagJob, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    s.released_ = job < 0;  // a job here means the ranks disagree about the sweep
  }
  if (s.busy_ > 0 || !s.released_) {  // rank 0 stopped with points out, or a worker could not serve
    std::cerr << "tinyforge-mpi: rank " << s.rank_ << " ended (exit " << rc << ") while other ranks wait; aborting\n";
    MPI_Abort(MPI_COMM_WORLD, rc ? rc : 1);
  }
  MPI_Finalize();
  return rc;
}

}  // namespace tf::sweep

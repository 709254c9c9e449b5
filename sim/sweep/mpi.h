// Design-space sweeps on MPI: `mpirun -n K tinyforge sweep SPEC --mpi`. `tinyforge` itself never loads MPI:
// given --mpi it replaces itself (execv) with its sibling `tinyforge-mpi`, the same command built with
// sweep/mpi.cpp and OpenMPI. There every rank reads and enumerates the spec (deterministic, so every rank holds
// the same points); rank 0 opens the sweep directory, hands the distinct configs out one at a time to ranks
// 1..K-1 as they become free, journals their results and writes the outputs; the other ranks run each config
// in a child process (`tinyforge sim`, as the process engine does) and send back its fate.
#pragma once
#include <vector>

#include "sweep/engine.h"

namespace tf::sweep {

class MpiSweep {
 public:
  virtual ~MpiSweep() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank 0: the executor that hands JOBS (pointing into POINTS) out to the other ranks.
  virtual Executor coordinator(const std::vector<Prepared>& points) = 0;
  // Ranks > 0: evaluate what rank 0 sends until it says stop.
  virtual void serve(const EngineOptions& opt, const std::string& model, const std::string& base,
                     const std::vector<Prepared>& points) = 0;
};

// The session of tinyforge-mpi (null in tinyforge).
MpiSweep* mpi_sweep();
void set_mpi_sweep(MpiSweep* session);

// tinyforge-mpi's sc_main wraps the command in a session: MPI_Init before, and at the end MPI_Finalize, or
// MPI_Abort when a rank failed while the others still wait for it. Returns the command's exit code.
int run_with_mpi(int argc, char** argv, int (*command)(int, char**));

}  // namespace tf::sweep

// tenzro-sim: a leader-selection simulation against the built plugin (issue 5).
//
// Loads libtenzro_tee.so through the C ABI with dlopen, as a node would, and
// simulates a network: N validators registered at genesis in batches, stakes
// from a heavy-tailed (Pareto) distribution with a fixed seed, a fraction
// attested with Simulated evidence (ABI simulate_evidence), evidence renewed
// before it expires, and injected faults: a share of the attested validators
// stops renewing (their evidence expires) and a share runs a measurement that
// a Simulated revocation list, submitted mid-run through submit_collateral,
// revokes. E epochs of S slots; each epoch's schedule comes from the plugin.
//
// Per epoch it measures: the epoch transition (on_epoch: re-evaluation and
// the RocksDB batch), the schedule (the first schedule call of an epoch builds
// the lookup table), and in the same process, on the same snapshot, two
// baselines with the same stream: inverse CDF by binary search over prefix
// sums (how Solana builds its schedule) and a naive linear scan (on a sample
// of slots). All three must name the same leaders. Fairness: for each class
// (attested, unattested, demoted) the expected against the observed share of
// slots with a 99.9% bound and a chi-square statistic. Peak RSS at the end.
//
// The simulation keeps its own model of every validator's status and checks
// the plugin's epoch reports (and, up to --verify-weights-max validators, the
// weights) against it, so the baselines run on the snapshot the plugin froze.
//
// Output: a table on the terminal, CSVs and gnuplot PNGs under --out.
// Exit status: 0 all good; 1 a check failed (fairness outside its bound,
// leaders differ, the plugin disagrees with the model); 2 usage or setup error.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "attestation/sim/simulator.h"
#include "benches/sim/host.h"
#include "benches/sim/stats.h"
#include "benches/sim/workload.h"

namespace fs = std::filesystem;
using tenzro::simhost::Plugin;
using tenzro::simhost::Uint128;

namespace {

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Peak and current resident set size, in MiB.
double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}
double CurrentRssMb() {
  std::ifstream in("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

struct Options {
  std::string plugin = TEE_SIM_DEFAULT_PLUGIN;
  std::string out = "sim-out";
  std::string label;
  uint64_t validators = 10'000;
  uint64_t epochs = 4;
  uint64_t slots = 432'000;
  uint64_t seed = 1;
  double attested = 0.25;
  double expire = 0.05;
  double revoke = 0.05;
  uint64_t fault_epoch = 2;
  uint64_t epoch_secs = 21'600;
  uint64_t max_age = 86'400;
  uint64_t rocksdb_mb = 32;  // as config/devnet.toml
  uint64_t batch = 10'000;
  uint64_t linear_work =
      200'000'000;  // validator visits spent on the linear-scan baseline per epoch
  uint64_t verify_weights_max = 200'000;
  unsigned stake_shift = 0;
  // The multiplier the expected shares assume (what users are promised);
  // the plugin runs with 2. Another value must make the fairness check fail.
  double expect_multiplier = 2.0;
  bool plots = true;
  bool progress = true;
  bool keep_db = false;
};

// ---- progress --------------------------------------------------------------

class Progress {
 public:
  Progress(bool enabled, std::string what, uint64_t total)
      : enabled_(enabled && isatty(STDERR_FILENO) != 0), what_(std::move(what)), total_(total) {}
  ~Progress() { Done(); }
  void Update(uint64_t done) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double f = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
    const int width = 30;
    const int fill = static_cast<int>(f * width);
    std::fprintf(stderr, "\r  %-24s [%s%s] %5.1f%% %6.1fs", what_.c_str(),
                 std::string(static_cast<size_t>(fill), '#').c_str(),
                 std::string(static_cast<size_t>(width - fill), '.').c_str(), 100 * f,
                 MsSince(start_) / 1000);
    shown_ = true;
  }
  void Done() {
    if (enabled_ && shown_) {
      Update(total_);
      std::fprintf(stderr, "\n");
      shown_ = false;
    }
  }

 private:
  bool enabled_;
  std::string what_;
  uint64_t total_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
  bool shown_ = false;
};

// ---- the model ---------------------------------------------------------------

enum Kind : uint8_t { kUnattested = 0, kHealthy = 1, kExpires = 2, kRevoked = 3 };
enum Class : uint8_t { kClassAttested = 0, kClassUnattested = 1, kClassDemoted = 2 };
const std::vector<std::string> kClassNames = {"attested", "unattested", "demoted"};

// Validators in id order (the snapshot's order); ids are regenerated from
// (seed, gen) when needed instead of kept (32 MB at a million).
struct Model {
  std::vector<uint32_t> gen;    // generation index of the k-th smallest id
  std::vector<uint64_t> stake;  // base units (before --stake-shift)
  std::vector<uint8_t> kind;
  std::vector<uint8_t> attested;     // the model's status now
  std::vector<uint8_t> demoted;      // was attested, demoted since
  std::vector<int64_t> valid_until;  // attested: inclusive unix seconds
};

void IdOf(const Options& o, uint32_t gen, uint8_t out[32]) {
  tenzro::workload::MakeValidatorId(o.seed, gen, out);
}

void StakeBe(uint64_t stake, unsigned shift, uint8_t out[32]) {
  std::memset(out, 0, 32);
  Uint128 v = static_cast<Uint128>(stake) << shift;  // shift <= 64
  for (int i = 0; i < 16; ++i) out[31 - i] = static_cast<uint8_t>(v >> (8 * i));
}

Model BuildModel(const Options& o) {
  const size_t n = o.validators;
  Model m;
  // Sort by id through (8-byte prefix, gen); ties are broken on the full id.
  std::vector<std::pair<uint64_t, uint32_t>> keys(n);
  for (uint32_t g = 0; g < n; ++g) {
    uint8_t id[32];
    IdOf(o, g, id);
    uint64_t p = 0;
    for (int i = 0; i < 8; ++i) p = (p << 8) | id[i];
    keys[g] = {p, g};
  }
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    uint8_t ia[32], ib[32];
    IdOf(o, a.second, ia);
    IdOf(o, b.second, ib);
    return std::memcmp(ia, ib, 32) < 0;
  });
  m.gen.resize(n);
  for (size_t k = 0; k < n; ++k) m.gen[k] = keys[k].second;
  std::vector<std::pair<uint64_t, uint32_t>>().swap(keys);

  // Stakes and kinds by generation index (independent of id order).
  tenzro::workload::SplitMix64 rng(o.seed * 0x9e3779b97f4a7c15ull + 17);
  tenzro::workload::StakeModel stakes;
  std::vector<uint64_t> stake_by_gen(n);
  std::vector<uint8_t> kind_by_gen(n);
  for (size_t g = 0; g < n; ++g) {
    stake_by_gen[g] = stakes.Draw(rng);
    const double u = rng.Unit();
    if (u <= o.attested) {
      const double v = u / o.attested;  // uniform in (0, 1] within the attested
      kind_by_gen[g] = v <= o.expire ? kExpires : v <= o.expire + o.revoke ? kRevoked : kHealthy;
    } else {
      kind_by_gen[g] = kUnattested;
    }
  }
  m.stake.resize(n);
  m.kind.resize(n);
  for (size_t k = 0; k < n; ++k) {
    m.stake[k] = stake_by_gen[m.gen[k]];
    m.kind[k] = kind_by_gen[m.gen[k]];
  }
  m.attested.assign(n, 0);
  m.demoted.assign(n, 0);
  m.valid_until.assign(n, -1);
  return m;
}

// ---- registration ------------------------------------------------------------

constexpr uint64_t kT0 = 1'767'225'600;  // 2026-01-01

tenzro::tee::simulated::Measurement FleetB() {
  auto m = tenzro::tee::sim::DefaultMeasurement();
  for (auto& b : m) b = static_cast<uint8_t>(b ^ 0x5a);
  return m;
}

void Challenge(uint64_t run_seed, uint64_t epoch, uint8_t out[32]) {
  uint8_t msg[24] = {'c', 'h', 'a', 'l', 'l', 'e', 'n', 'g', 'e', '-', 's', 'i', 'm', 0, 0, 0};
  for (int i = 0; i < 8; ++i)
    msg[16 + i] = static_cast<uint8_t>((run_seed * 1000003u + epoch) >> (8 * i));
  crypto_generichash(out, 32, msg, sizeof msg, nullptr, 0);
}

struct RegStats {
  uint64_t count = 0;
  uint64_t attested = 0;
  double ms = 0;
};

// Registers (or renews) the validators at model positions `ks` in batches.
// attested: with evidence issued at issued_at(k), else without.
template <typename IssuedAt>
RegStats RegisterBatches(Plugin& p, const Options& o, Model& m, const std::vector<size_t>& ks,
                         bool with_evidence, uint64_t registered_at, uint64_t epoch,
                         IssuedAt issued_at, const std::string& what) {
  RegStats st;
  Progress bar(o.progress && ks.size() >= 20'000, what, ks.size());
  uint8_t challenge[32];
  Challenge(o.seed, epoch, challenge);
  const auto fleet_b = FleetB();
  std::vector<uint8_t> ids, stakes;
  std::vector<std::vector<uint8_t>> evidence;
  std::vector<tee_registration> regs;
  std::vector<tee_register_result> results;
  const auto t0 = Clock::now();
  for (size_t base = 0; base < ks.size(); base += o.batch) {
    const size_t n = std::min<size_t>(o.batch, ks.size() - base);
    ids.assign(32 * n, 0);
    stakes.assign(32 * n, 0);
    evidence.assign(n, {});
    regs.assign(n, tee_registration{});
    results.assign(n, tee_register_result{});
    for (size_t i = 0; i < n; ++i) {
      const size_t k = ks[base + i];
      IdOf(o, m.gen[k], &ids[32 * i]);
      StakeBe(m.stake[k], o.stake_shift, &stakes[32 * i]);
      tee_registration& r = regs[i];
      r.validator_id = &ids[32 * i];
      r.stake_be = &stakes[32 * i];
      r.registered_at = registered_at;
      if (with_evidence) {
        const uint64_t at = issued_at(k);
        if (m.kind[k] == kRevoked) {
          // The second fleet's measurement: made with the simulator itself,
          // since simulate_evidence always uses the default measurement.
          tenzro::tee::sim::EvidenceSpec spec;
          std::memcpy(spec.binding.validator_id.data(), &ids[32 * i], 32);
          std::memcpy(spec.binding.challenge.data(), challenge, 32);
          spec.issued_at = at;
          spec.measurement = fleet_b;
          auto ev = tenzro::tee::sim::MakeEvidence(spec);
          evidence[i].assign(ev.begin(), ev.end());
        } else {
          uint8_t* ev = nullptr;
          size_t len = 0;
          p.Check(p.api().simulate_evidence(p.h(), &ids[32 * i], challenge, at, &ev, &len),
                  "simulate_evidence");
          evidence[i].assign(ev, ev + len);
          p.api().free(ev);
        }
        r.tee_type = TEE_TYPE_SIMULATED;
        r.evidence = evidence[i].data();
        r.evidence_len = evidence[i].size();
        r.challenge = challenge;
      } else {
        r.tee_type = TEE_TYPE_NONE;
      }
    }
    p.Check(p.api().register_batch(p.h(), regs.data(), n, results.data()), "register_batch");
    for (size_t i = 0; i < n; ++i) {
      const size_t k = ks[base + i];
      if (!with_evidence) continue;
      const int64_t expect = static_cast<int64_t>(issued_at(k) + o.max_age);
      if (results[i].attested != 1 || results[i].valid_until != expect) {
        throw std::runtime_error(
            "validator at position " + std::to_string(k) + ": registration gave attested=" +
            std::to_string(results[i].attested) + " reason=" + std::to_string(results[i].reason) +
            " valid_until=" + std::to_string(results[i].valid_until) + ", the model expects " +
            std::to_string(expect));
      }
      m.attested[k] = 1;
      m.valid_until[k] = expect;
      ++st.attested;
    }
    st.count += n;
    bar.Update(st.count);
  }
  st.ms = MsSince(t0);
  return st;
}

// ---- baselines -----------------------------------------------------------------

template <typename Word>
struct BaselineResult {
  double bsearch_ms = 0;  // prefix build + all slots
  double linear_ns = 0;   // per draw, over the sample
  uint64_t linear_slots = 0;
  uint64_t mismatches = 0;  // against the plugin's schedule
};

template <typename Word>
BaselineResult<Word> RunBaselines(const Options& o, const Model& m, const uint8_t key[32],
                                  Word total, const std::vector<uint32_t>& plugin_schedule,
                                  uint64_t multiplier) {
  BaselineResult<Word> res;
  const size_t n = m.stake.size();
  auto weight = [&](size_t k) {
    return (Word(m.stake[k]) << o.stake_shift) * Word(m.attested[k] ? multiplier : 1);
  };
  // Binary search over prefix sums: build included.
  {
    Progress bar(o.progress && o.slots * n >= 50'000'000'000ull, "baseline: binary search",
                 o.slots);
    const auto t0 = Clock::now();
    std::vector<Word> prefix(n);
    Word acc = 0;
    for (size_t k = 0; k < n; ++k) prefix[k] = acc += weight(k);
    tenzro::simhost::Stream<Word> stream(key, total);
    for (uint64_t s = 0; s < o.slots; ++s) {
      const Word r = stream.Draw(s);
      const auto i =
          static_cast<uint32_t>(std::upper_bound(prefix.begin(), prefix.end(), r) - prefix.begin());
      if (i != plugin_schedule[s]) ++res.mismatches;
      if ((s & 0xffff) == 0) bar.Update(s);
    }
    res.bsearch_ms = MsSince(t0);
  }
  // Naive linear scan on evenly spread slots, as many as the work budget allows.
  {
    res.linear_slots =
        std::max<uint64_t>(16, std::min<uint64_t>(o.slots, o.linear_work / std::max<size_t>(n, 1)));
    const uint64_t step = std::max<uint64_t>(1, o.slots / res.linear_slots);
    tenzro::simhost::Stream<Word> stream(key, total);
    uint64_t done = 0;
    Progress bar(o.progress && o.linear_work >= 100'000'000, "baseline: linear scan",
                 res.linear_slots);
    const auto t0 = Clock::now();
    for (uint64_t s = 0; s < o.slots && done < res.linear_slots; s += step, ++done) {
      const Word r = stream.Draw(s);
      Word acc = 0;
      uint32_t i = 0;
      for (size_t k = 0; k < n; ++k) {
        acc += weight(k);
        if (r < acc) {
          i = static_cast<uint32_t>(k);
          break;
        }
      }
      if (i != plugin_schedule[s]) ++res.mismatches;
      bar.Update(done);
    }
    res.linear_slots = done;
    res.linear_ns = MsSince(t0) * 1e6 / static_cast<double>(std::max<uint64_t>(done, 1));
  }
  return res;
}

// ---- one run -------------------------------------------------------------------

struct EpochRow {
  uint64_t epoch = 0;
  uint64_t validators = 0, attested = 0, demoted_now = 0, demoted_total = 0, renewed = 0;
  double renew_ms = 0, epoch_ms = 0, schedule_ms = 0, schedule_warm_ms = 0, bsearch_ms = 0,
         linear_ns = 0;
  uint64_t linear_slots = 0;
  double multiplier_observed = 0;
  tenzro::simstats::Fairness fairness;
  bool leaders_agree = true;
  bool model_agrees = true;
  double rss_mb = 0;
};

// Two gnuplot figures: this run's shares (expected vs observed with the
// 99.9% bound, and the deviation in units of that bound), and time against N
// over every run recorded in <out>/summary.csv.
void Plot(const Options& o, const fs::path& dir) {
  const std::string classes = (dir / "classes.csv").string();
  {
    std::ofstream gp(dir / "shares.gp");
    gp << "set terminal pngcairo size 1100,860 noenhanced font ',10'\n"
       << "set output '" << (dir / "shares.png").string() << "'\n"
       << "set datafile separator ','\n"
       << "classes = 'attested unattested demoted'\n"
       << "f(i) = (i - 2) * 0.27\n"
       << "set multiplot layout 2,1 title 'Leader share per class, " << o.validators
       << " validators, " << o.slots << " slots per epoch (seed " << o.seed << ")'\n"
       << "set xrange [0.5:" << static_cast<double>(o.epochs) + 0.5
       << "]\nset xtics 1\nset grid ytics\n"
       << "set key outside right\nset boxwidth 0.25\nset style fill transparent solid 0.35\n"
       << "set ylabel 'share of slots'\nset yrange [0:1]\n"
       << "plot for [i=1:3] '" << classes
       << "' using ($2+f(i)):(strcol(3) eq word(classes,i) ? $5 : 1/0) "
       << "with boxes lc i title word(classes,i).' expected', \\\n"
       << "     for [i=1:3] '" << classes
       << "' using ($2+f(i)):(strcol(3) eq word(classes,i) ? $6 : 1/0):7:8 "
       << "with yerrorbars lc i pt 7 ps 0.6 title word(classes,i).' observed, 99.9% bound'\n"
       << "set xlabel 'epoch'\nset ylabel '(observed - expected) / 99.9% bound'\nset yrange "
          "[-1.6:1.6]\n"
       << "plot 1 with lines dt 2 lc 'red' title 'bound', -1 with lines dt 2 lc 'red' notitle, \\\n"
       << "     for [i=1:3] '" << classes << "' using ($2+f(i)):(strcol(3) eq word(classes,i) ? $9/"
       << tenzro::simstats::kZ999 << " : 1/0) with points lc i pt 7 ps 1.3 title word(classes,i)\n"
       << "unset multiplot\n";
  }
  const std::string summary = (fs::path(o.out) / "summary.csv").string();
  {
    // Ranges from the data, so one size plots as well as many (gnuplot
    // cannot autoscale a logarithmic axis over one point), and each target
    // drawn at its own size only (issue 5: schedule 50 ms and peak RSS
    // 256 MB at 1M validators, epoch transition 100 ms at 100k), for the
    // sizes that were run at 432,000 slots.
    double n_lo = 0, n_hi = 0, ms_lo = 0, ms_hi = 0, mb_hi = 0;
    std::vector<std::pair<double, double>> sched_target, epoch_target, rss_target;
    std::vector<uint64_t> sizes;  // every size run, labelled on the x axis
    {
      std::ifstream in(summary);
      std::string line;
      std::getline(in, line);  // header
      while (std::getline(in, line)) {
        std::vector<double> col;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');)
          col.push_back(std::strtod(cell.c_str(), nullptr));
        if (col.size() < 16) continue;
        const double n = col[1];
        if (n <= 0) continue;
        sizes.push_back(static_cast<uint64_t>(n));
        n_lo = n_lo == 0 ? n : std::min(n_lo, n);
        n_hi = std::max(n_hi, n);
        for (size_t c : {4u, 8u, 13u, 14u}) {
          if (col[c] <= 0) continue;
          ms_lo = ms_lo == 0 ? col[c] : std::min(ms_lo, col[c]);
          ms_hi = std::max(ms_hi, col[c]);
        }
        mb_hi = std::max({mb_hi, col[10], col[11]});
        if (col[3] == 432000 && n == 1e6) {
          sched_target.emplace_back(n, 50);
          rss_target.emplace_back(n, 256);
        }
        if (col[3] == 432000 && n == 1e5) epoch_target.emplace_back(n, 100);
      }
    }
    for (const auto& t : sched_target) ms_hi = std::max(ms_hi, t.second);
    for (const auto& t : epoch_target) ms_hi = std::max(ms_hi, t.second);
    for (const auto& t : rss_target) mb_hi = std::max(mb_hi, t.second);
    if (ms_lo <= 0) ms_lo = 0.01;
    if (ms_hi <= ms_lo) ms_hi = ms_lo * 10;
    auto block = [](std::ostream& os, const char* name,
                    const std::vector<std::pair<double, double>>& pts) {
      os << "$" << name << " << EOD\n";
      for (const auto& [x, y] : pts) os << static_cast<uint64_t>(x) << "," << y << "\n";
      os << "EOD\n";
    };
    std::ofstream gp(fs::path(o.out) / "time_vs_n.gp");
    gp << "set terminal pngcairo size 1100,860 noenhanced font ',10'\n"
       << "set output '" << (fs::path(o.out) / "time_vs_n.png").string() << "'\n";
    block(gp, "sched_target", sched_target);
    block(gp, "epoch_target", epoch_target);
    block(gp, "rss_target", rss_target);
    gp << "set datafile separator ','\nset key top left box opaque\nset grid\nset logscale x 10\n"
       << "set xrange [" << n_lo / 3 << ":" << n_hi * 3 << "]\n";
    for (uint64_t n : sizes) gp << "set xtics add ('" << n << "' " << n << ")\n";
    gp << "set multiplot layout 2,1 title 'tenzro-tee leader selection against N (" << o.slots
       << " slots per epoch, one core)'\n"
       << "set logscale y 10\nset ylabel 'ms per epoch'\n"
       << "set yrange [" << ms_lo / 3 << ":" << ms_hi * 3 << "]\n"
       << "plot '" << summary
       << "' using 2:5 smooth unique with linespoints pt 7 title 'plugin schedule (table build "
          "included)', \\\n"
       << "     '' using 2:14 smooth unique with linespoints pt 5 title 'baseline: binary search, "
          "same stream', \\\n"
       << "     '' using 2:15 smooth unique with linespoints pt 9 title 'baseline: linear scan "
          "(estimated from a sample)', \\\n"
       << "     '' using 2:9 smooth unique with linespoints pt 13 title 'epoch transition "
          "(re-evaluation + RocksDB batch)'";
    if (!sched_target.empty()) {
      gp << ", \\\n     $sched_target using 1:2 with points pt 6 ps 3 lc 'red' title "
            "'50 ms schedule target (1M validators)'";
    }
    if (!epoch_target.empty()) {
      gp << ", \\\n     $epoch_target using 1:2 with points pt 4 ps 3 lc 'red' title "
            "'100 ms epoch target (100k attested)'";
    }
    gp << "\nunset logscale y\nset xlabel 'validators'\nset ylabel 'MB'\n"
       << "set yrange [0:" << std::max(mb_hi * 1.3, 1.0) << "]\n"
       << "plot '" << summary
       << "' using 2:12 smooth unique with linespoints pt 7 title 'peak RSS (whole process)', \\\n"
       << "     '' using 2:11 smooth unique with linespoints pt 5 title 'RSS after genesis'";
    if (!rss_target.empty()) {
      gp << ", \\\n     $rss_target using 1:2 with points pt 6 ps 3 lc 'red' title "
            "'256 MB peak RSS target (1M validators)'";
    }
    gp << "\nunset multiplot\n";
  }
  for (const fs::path& script : {dir / "shares.gp", fs::path(o.out) / "time_vs_n.gp"}) {
    // gnuplot's messages (warnings included) go to stderr, never into the
    // table on stdout.
    const std::string cmd = "gnuplot '" + script.string() + "' 1>&2";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "warning: gnuplot failed on %s (is gnuplot-nox installed?)\n",
                   script.string().c_str());
    }
  }
}

int Run(const Options& o) {
  const std::string label = o.label.empty() ? "n" + std::to_string(o.validators) : o.label;
  const fs::path dir = fs::path(o.out) / label;
  fs::create_directories(dir);
  const fs::path db = dir / "db";
  fs::remove_all(db);
  const fs::path config = dir / "config.toml";
  {
    std::ofstream c(config);
    c << "# written by tenzro-sim\n[tee]\ndb_path = \"" << db.string()
      << "\"\nrocksdb_memory_mb = " << o.rocksdb_mb
      << "\nlog_level = \"error\"\n\n[tee.consensus]\nsimulation = true\ncollateral_admission = "
         "\"local\"\n"
      << "multiplier = 2\nmax_age_secs = " << o.max_age << "\nexpiry_window_secs = " << o.epoch_secs
      << "\n";
  }
  const uint64_t multiplier = 2;
  std::printf("tenzro-sim: %" PRIu64 " validators, %" PRIu64 " epochs x %" PRIu64
              " slots, seed %" PRIu64 "\n",
              o.validators, o.epochs, o.slots, o.seed);
  std::printf("  attested %.0f%% (expiry faults %.0f%%, revocation faults %.0f%% of them)\n",
              100 * o.attested, 100 * o.expire, 100 * o.revoke);
  std::printf("  plugin %s\n", o.plugin.c_str());

  const auto tm = Clock::now();
  Model m = BuildModel(o);
  std::printf("  model built in %.0f ms (host arrays %.1f MB)\n", MsSince(tm),
              static_cast<double>(m.stake.size() * (4 + 8 + 1 + 1 + 1 + 8)) / (1 << 20));
  std::fflush(stdout);

  auto plugin = std::make_unique<Plugin>(o.plugin);
  Plugin& p = *plugin;
  p.Open(config.string());

  // Genesis: every validator in batches; attested ones with evidence issued
  // at staggered times so renewals spread over the epochs.
  const uint64_t stagger = std::max<uint64_t>(1, o.max_age / o.epoch_secs);
  auto genesis_issued = [&](size_t k) { return kT0 - (m.gen[k] % stagger) * o.epoch_secs; };
  std::vector<size_t> plain, evidenced;
  for (size_t k = 0; k < m.kind.size(); ++k)
    (m.kind[k] == kUnattested ? plain : evidenced).push_back(k);
  RegStats g1 =
      RegisterBatches(p, o, m, plain, false, kT0, 0, genesis_issued, "genesis: unattested");
  RegStats g2 =
      RegisterBatches(p, o, m, evidenced, true, kT0, 0, genesis_issued, "genesis: attested");
  std::vector<size_t>().swap(plain);
  std::vector<size_t>().swap(evidenced);
  std::printf("  genesis: %" PRIu64 " unattested in %.0f ms (%.0f/s), %" PRIu64
              " attested in %.0f ms (%.0f/s)\n",
              g1.count, g1.ms, 1000.0 * static_cast<double>(g1.count) / std::max(g1.ms, 1e-9),
              g2.count, g2.ms, 1000.0 * static_cast<double>(g2.count) / std::max(g2.ms, 1e-9));
  std::fflush(stdout);
  const double rss_genesis = CurrentRssMb();
  {
    const struct mallinfo2 mi = mallinfo2();
    std::printf(
        "  after genesis: RSS %.0f MB (peak %.0f MB)\n"
        "  malloc: heap in use %.0f MB, free inside the heap %.0f MB, mmapped %.0f MB\n",
        rss_genesis, PeakRssMb(), static_cast<double>(mi.uordblks) / (1 << 20),
        static_cast<double>(mi.fordblks) / (1 << 20), static_cast<double>(mi.hblkhd) / (1 << 20));
    std::fflush(stdout);
  }

  std::vector<EpochRow> rows;
  bool revocation_submitted = false;
  uint64_t run_seed_e[4] = {o.seed, 0x74656e7a726full, 0, 0};
  bool all_ok = true;
  std::vector<uint32_t> sched;

  for (uint64_t e = 1; e <= o.epochs; ++e) {
    EpochRow row;
    row.epoch = e;
    const uint64_t t = kT0 + e * o.epoch_secs;
    const uint64_t at = t - 30;
    // Faults: the revocation list, admitted before the fault epoch.
    if (e == o.fault_epoch && o.revoke > 0) {
      auto list = tenzro::tee::sim::MakeRevocationList(at - 100, at + 60 * 86400, {FleetB()});
      p.Check(p.api().submit_collateral(p.h(), TEE_TYPE_SIMULATED, list.data(), list.size(), at),
              "submit_collateral");
      revocation_submitted = true;
    }
    // Renewals: attested validators whose evidence would lapse before the
    // next epoch renew now, unless a fault keeps them from it.
    std::vector<size_t> due;
    for (size_t k = 0; k < m.kind.size(); ++k) {
      if (!m.attested[k]) continue;
      if (m.kind[k] == kExpires && e >= o.fault_epoch) continue;
      if (m.kind[k] == kRevoked && revocation_submitted) continue;
      if (m.valid_until[k] < static_cast<int64_t>(t + o.epoch_secs)) due.push_back(k);
    }
    RegStats rn = RegisterBatches(
        p, o, m, due, true, at, e, [&](size_t) { return at; }, "renewals");
    row.renewed = rn.count;
    row.renew_ms = rn.ms;

    // The model's prediction of the snapshot: expiry and revocation demote.
    uint64_t predicted_demotions = 0;
    for (size_t k = 0; k < m.kind.size(); ++k) {
      if (!m.attested[k]) continue;
      const bool expired = m.valid_until[k] < static_cast<int64_t>(t);
      const bool revoked = m.kind[k] == kRevoked && revocation_submitted;
      if (expired || revoked) {
        m.attested[k] = 0;
        m.demoted[k] = 1;
        ++predicted_demotions;
      }
    }

    uint8_t seed[32];
    run_seed_e[2] = e;
    crypto_generichash(seed, 32, reinterpret_cast<const uint8_t*>(run_seed_e), sizeof run_seed_e,
                       nullptr, 0);
    tee_epoch_report rep{};
    auto t0 = Clock::now();
    p.Check(p.api().on_epoch(p.h(), e, t, seed, &rep), "on_epoch");
    row.epoch_ms = MsSince(t0);

    // The model and the plugin must agree on the snapshot.
    uint64_t attested_n = 0, demoted_n = 0;
    Uint128 total = 0;
    std::vector<double> class_w(3, 0);
    std::vector<uint64_t> class_v(3, 0);
    for (size_t k = 0; k < m.kind.size(); ++k) {
      const Uint128 w =
          (static_cast<Uint128>(m.stake[k]) << o.stake_shift) * (m.attested[k] ? multiplier : 1u);
      total += w;
      const Class c = m.attested[k]  ? kClassAttested
                      : m.demoted[k] ? kClassDemoted
                                     : kClassUnattested;
      class_w[c] += static_cast<double>(static_cast<Uint128>(m.stake[k]) << o.stake_shift) *
                    (m.attested[k] ? o.expect_multiplier : 1.0);
      ++class_v[c];
      attested_n += m.attested[k];
      demoted_n += m.demoted[k];
    }
    Uint128 plugin_total = 0;
    for (int i = 16; i < 32; ++i) plugin_total = (plugin_total << 8) | rep.total_weight_be[i];
    bool high_zero = true;
    for (int i = 0; i < 16; ++i) high_zero = high_zero && rep.total_weight_be[i] == 0;
    row.validators = rep.snapshot_size;
    row.attested = rep.attested;
    row.demoted_now = rep.demoted;
    row.demoted_total = demoted_n;
    if (rep.snapshot_size != m.kind.size() || rep.attested != attested_n ||
        rep.demoted != predicted_demotions || !high_zero || plugin_total != total) {
      row.model_agrees = false;
      std::fprintf(stderr,
                   "!!! epoch %" PRIu64
                   ": the plugin's report disagrees with the model: size %" PRIu64
                   "/%zu attested %" PRIu64 "/%" PRIu64 " demoted %" PRIu64 "/%" PRIu64 "\n",
                   e, rep.snapshot_size, m.kind.size(), rep.attested, attested_n, rep.demoted,
                   predicted_demotions);
    }
    if (o.validators <= o.verify_weights_max) {
      tee_weight* w = nullptr;
      size_t nw = 0;
      p.Check(p.api().get_weights(p.h(), e, &w, &nw), "get_weights");
      bool same = nw == m.kind.size();
      for (size_t k = 0; same && k < nw; ++k) {
        uint8_t id[32], stake[32];
        IdOf(o, m.gen[k], id);
        const Uint128 wk =
            (static_cast<Uint128>(m.stake[k]) << o.stake_shift) * (m.attested[k] ? multiplier : 1u);
        for (int i = 0; i < 16; ++i) stake[31 - i] = static_cast<uint8_t>(wk >> (8 * i));
        std::memset(stake, 0, 16);
        same = std::memcmp(w[k].validator_id, id, 32) == 0 &&
               std::memcmp(w[k].weight_be, stake, 32) == 0 && w[k].attested == m.attested[k];
      }
      p.api().free(w);
      if (!same) {
        row.model_agrees = false;
        std::fprintf(stderr,
                     "!!! epoch %" PRIu64 ": get_weights differs from the model's snapshot\n", e);
      }
    }

    // The plugin's schedule: the first call builds the epoch's lookup table.
    sched.assign(o.slots, 0);
    {
      Progress bar(o.progress && o.slots >= 4'000'000, "schedule", o.slots);
      uint32_t* out = nullptr;
      t0 = Clock::now();
      p.Check(p.api().schedule(p.h(), e, 0, o.slots, &out), "schedule");
      row.schedule_ms = MsSince(t0);
      std::memcpy(sched.data(), out, o.slots * sizeof(uint32_t));
      p.api().free(out);
      t0 = Clock::now();
      p.Check(p.api().schedule(p.h(), e, 0, o.slots, &out), "schedule");
      row.schedule_warm_ms = MsSince(t0);
      const bool same = std::memcmp(sched.data(), out, o.slots * sizeof(uint32_t)) == 0;
      p.api().free(out);
      if (!same) {
        row.leaders_agree = false;
        std::fprintf(stderr, "!!! epoch %" PRIu64 ": two schedule calls differ\n", e);
      }
    }

    // Baselines on the same snapshot, with the same stream.
    uint8_t key[32];
    tenzro::simhost::EpochKey(seed, e, key);
    uint64_t mismatches = 0;
    if (total <= UINT64_MAX) {
      auto b = RunBaselines<uint64_t>(o, m, key, static_cast<uint64_t>(total), sched, multiplier);
      row.bsearch_ms = b.bsearch_ms;
      row.linear_ns = b.linear_ns;
      row.linear_slots = b.linear_slots;
      mismatches = b.mismatches;
    } else {
      auto b = RunBaselines<Uint128>(o, m, key, total, sched, multiplier);
      row.bsearch_ms = b.bsearch_ms;
      row.linear_ns = b.linear_ns;
      row.linear_slots = b.linear_slots;
      mismatches = b.mismatches;
    }
    if (mismatches != 0) {
      row.leaders_agree = false;
      std::fprintf(stderr,
                   "!!! epoch %" PRIu64 ": %" PRIu64
                   " slots where the baselines name another leader\n",
                   e, mismatches);
    }

    // Fairness per class.
    std::vector<uint64_t> counts(3, 0);
    for (uint32_t i : sched) {
      const Class c = m.attested[i]  ? kClassAttested
                      : m.demoted[i] ? kClassDemoted
                                     : kClassUnattested;
      ++counts[c];
    }
    row.fairness = tenzro::simstats::Evaluate(kClassNames, class_w, class_v, counts, o.slots);
    // The multiplier as users read it: slots per unit of stake, attested over
    // not attested (unattested and demoted together).
    double stake_a = class_w[kClassAttested] / o.expect_multiplier;
    double stake_u = class_w[kClassUnattested] + class_w[kClassDemoted];
    double slots_u = static_cast<double>(counts[kClassUnattested] + counts[kClassDemoted]);
    if (stake_a > 0 && stake_u > 0 && slots_u > 0) {
      row.multiplier_observed =
          (static_cast<double>(counts[kClassAttested]) / stake_a) / (slots_u / stake_u);
    }
    if (!row.fairness.ok) {
      std::fprintf(stderr,
                   "\n!!! FAIRNESS: epoch %" PRIu64
                   " has a share outside its 99.9%% bound (chi2 %.2f, critical %.2f)\n",
                   e, row.fairness.chi2, row.fairness.chi2_critical);
      for (const auto& c : row.fairness.classes) {
        std::fprintf(stderr, "!!!   %-10s expected %.6f observed %.6f (z %+.2f) %s\n",
                     c.name.c_str(), c.expected_share,
                     static_cast<double>(c.observed) / static_cast<double>(o.slots), c.z,
                     c.inside ? "" : "OUTSIDE");
      }
    }
    row.rss_mb = CurrentRssMb();
    all_ok = all_ok && row.fairness.ok && row.leaders_agree && row.model_agrees;
    rows.push_back(row);
  }
  const double peak = PeakRssMb();
  plugin.reset();  // close before the database is removed

  // ---- terminal table ----------------------------------------------------------
  // At most 100 columns (issue 13); every detail (renewals, draws/s, warm
  // schedule, baseline times, per-class shares) is in epochs.csv and
  // classes.csv.
  std::printf("\n%5s %9s %9s %7s %9s %9s %9s %9s %6s %8s %s\n", "epoch", "validators", "attested",
              "demoted", "epoch ms", "sched ms", "x bsearch", "x linear", "mult", "chi2", "checks");
  for (const auto& r : rows) {
    const double per_draw_plugin = r.schedule_ms * 1e6 / static_cast<double>(o.slots);
    std::printf("%5" PRIu64 " %9" PRIu64 " %9" PRIu64 " %7" PRIu64
                " %9.1f %9.1f %9.2f %9.0f %6.3f %8.2f %s\n",
                r.epoch, r.validators, r.attested, r.demoted_now, r.epoch_ms, r.schedule_ms,
                r.bsearch_ms / r.schedule_ms, r.linear_ns / per_draw_plugin, r.multiplier_observed,
                r.fairness.chi2,
                r.fairness.ok && r.leaders_agree && r.model_agrees ? "ok" : "FAIL");
  }
  std::vector<double> sched_ms, epoch_ms;
  for (const auto& r : rows) {
    sched_ms.push_back(r.schedule_ms);
    epoch_ms.push_back(r.epoch_ms);
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double bs = 0, ln = 0;
  for (const auto& r : rows) {
    bs += r.bsearch_ms / r.schedule_ms;
    ln += r.linear_ns / (r.schedule_ms * 1e6 / static_cast<double>(o.slots));
  }
  bs /= static_cast<double>(std::max<size_t>(rows.size(), 1));
  ln /= static_cast<double>(std::max<size_t>(rows.size(), 1));
  auto yes = [&](auto pred) { return std::all_of(rows.begin(), rows.end(), pred) ? "yes" : "NO"; };
  std::printf(
      "\nsummary: schedule median %.1f ms (%.3g draws/s); epoch transition median %.1f ms\n",
      median(sched_ms), static_cast<double>(o.slots) / (median(sched_ms) / 1000), median(epoch_ms));
  std::printf("         baselines: binary search %.2fx, linear scan %.0fx the plugin's time\n", bs,
              ln);
  std::printf("         RSS after genesis %.0f MB, peak %.0f MB\n", rss_genesis, peak);
  std::printf("         leaders agree: %s; model agrees: %s; fairness inside 99.9%% bounds: %s\n",
              yes([](const EpochRow& r) { return r.leaders_agree; }),
              yes([](const EpochRow& r) { return r.model_agrees; }),
              yes([](const EpochRow& r) { return r.fairness.ok; }));

  // ---- CSV -------------------------------------------------------------------------
  {
    std::ofstream csv(dir / "epochs.csv");
    csv << "label,validators,epoch,attested,demoted_now,demoted_total,renewed,renew_ms,epoch_ms,"
           "schedule_ms,"
           "schedule_warm_ms,draws_per_s,bsearch_ms,bsearch_ratio,linear_ns_per_draw,linear_ratio,"
           "linear_slots,"
           "multiplier_observed,chi2,chi2_dof,chi2_critical,fair,leaders_agree,model_agrees,rss_"
           "mb\n";
    for (const auto& r : rows) {
      const double per_draw = r.schedule_ms * 1e6 / static_cast<double>(o.slots);
      csv << label << ',' << r.validators << ',' << r.epoch << ',' << r.attested << ','
          << r.demoted_now << ',' << r.demoted_total << ',' << r.renewed << ',' << r.renew_ms << ','
          << r.epoch_ms << ',' << r.schedule_ms << ',' << r.schedule_warm_ms << ','
          << static_cast<double>(o.slots) / (r.schedule_ms / 1000) << ',' << r.bsearch_ms << ','
          << r.bsearch_ms / r.schedule_ms << ',' << r.linear_ns << ',' << r.linear_ns / per_draw
          << ',' << r.linear_slots << ',' << r.multiplier_observed << ',' << r.fairness.chi2 << ','
          << r.fairness.dof << ',' << r.fairness.chi2_critical << ',' << (r.fairness.ok ? 1 : 0)
          << ',' << (r.leaders_agree ? 1 : 0) << ',' << (r.model_agrees ? 1 : 0) << ',' << r.rss_mb
          << '\n';
    }
    std::ofstream cls(dir / "classes.csv");
    cls << "label,epoch,class,validators,expected_share,observed_share,bound_low,bound_high,z,"
           "inside\n";
    for (const auto& r : rows) {
      for (const auto& c : r.fairness.classes) {
        const double s = static_cast<double>(o.slots);
        cls << label << ',' << r.epoch << ',' << c.name << ',' << c.validators << ','
            << c.expected_share << ',' << static_cast<double>(c.observed) / s << ','
            << (c.expected - c.bound) / s << ',' << (c.expected + c.bound) / s << ',' << c.z << ','
            << (c.inside ? 1 : 0) << '\n';
      }
    }
    const fs::path summary = fs::path(o.out) / "summary.csv";
    const bool fresh = !fs::exists(summary);
    std::ofstream sum(summary, std::ios::app);
    if (fresh) {
      sum << "label,validators,epochs,slots,schedule_ms_median,draws_per_s,bsearch_ratio,linear_"
             "ratio,"
             "epoch_ms_median,genesis_per_s,rss_after_genesis_mb,peak_rss_mb,all_ok,bsearch_ms_"
             "median,"
             "linear_ms_estimate,schedule_warm_ms_median\n";
    }
    std::vector<double> bs_ms, lin_ms, warm_ms;
    for (const auto& r : rows) {
      bs_ms.push_back(r.bsearch_ms);
      lin_ms.push_back(r.linear_ns * static_cast<double>(o.slots) / 1e6);
      warm_ms.push_back(r.schedule_warm_ms);
    }
    sum << label << ',' << o.validators << ',' << o.epochs << ',' << o.slots << ','
        << median(sched_ms) << ',' << static_cast<double>(o.slots) / (median(sched_ms) / 1000)
        << ',' << bs << ',' << ln << ',' << median(epoch_ms) << ','
        << 1000.0 * static_cast<double>(g1.count + g2.count) / std::max(g1.ms + g2.ms, 1e-9) << ','
        << rss_genesis << ',' << peak << ',' << (all_ok ? 1 : 0) << ',' << median(bs_ms) << ','
        << median(lin_ms) << ',' << median(warm_ms) << '\n';
  }
  if (o.plots) Plot(o, dir);
  if (!o.keep_db) fs::remove_all(db);
  std::printf("wrote %s/{epochs.csv,classes.csv%s}\n", dir.string().c_str(),
              o.plots ? ",shares.png" : "");
  std::printf("  and %s/summary.csv%s\n", o.out.c_str(), o.plots ? ", time_vs_n.png" : "");
  if (!all_ok) {
    std::fprintf(stderr, "\n!!! tenzro-sim: CHECKS FAILED (see the !!! lines above)\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"tenzro-sim: leader-selection simulation against libtenzro_tee.so (issue 5)"};
  app.add_option("--plugin", o.plugin, "path to libtenzro_tee.so");
  app.add_option("--out", o.out, "output directory (CSV, PNG, a scratch database)");
  app.add_option("--label", o.label, "name of this run (default n<validators>)");
  app.add_option("-n,--validators", o.validators, "validators (100 .. 1,000,000)")
      ->check(CLI::Range(1, 4'000'000));
  app.add_option("-e,--epochs", o.epochs, "epochs")->check(CLI::Range(1, 10'000));
  app.add_option("-s,--slots", o.slots, "slots per epoch")->check(CLI::Range(1, 1 << 28));
  app.add_option("--seed", o.seed, "run seed (stakes, ids, classes, epoch seeds)");
  app.add_option("--attested", o.attested, "fraction of validators attested at genesis")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--expire", o.expire,
                 "fraction of the attested that stop renewing at the fault epoch")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--revoke", o.revoke,
                 "fraction of the attested on a measurement revoked at the fault epoch")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fault-epoch", o.fault_epoch, "epoch at which the faults start");
  app.add_option("--epoch-secs", o.epoch_secs, "seconds per epoch")
      ->check(CLI::Range(60, 10'000'000));
  app.add_option("--max-age", o.max_age, "evidence lifetime (max_age_secs)")
      ->check(CLI::Range(60, 100'000'000));
  app.add_option("--rocksdb-mb", o.rocksdb_mb, "RocksDB memory budget (rocksdb_memory_mb)");
  app.add_option("--batch", o.batch, "registrations per register_batch call")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--linear-work", o.linear_work,
                 "validator visits the linear-scan baseline may spend per epoch");
  app.add_option("--verify-weights-max", o.verify_weights_max,
                 "check get_weights against the model up to this many validators");
  app.add_option("--stake-shift", o.stake_shift,
                 "multiply stakes by 2^k (k > ~8 takes the total past 2^64)")
      ->check(CLI::Range(0, 60));
  app.add_option(
         "--expect-multiplier", o.expect_multiplier,
         "multiplier the expected shares assume (a check of the check: anything but 2 must fail)")
      ->check(CLI::Range(0.1, 100.0));
  app.add_flag("!--no-plots", o.plots, "skip gnuplot");
  app.add_flag("!--no-progress", o.progress, "no progress bars");
  app.add_flag("--keep-db", o.keep_db, "keep the scratch database");
  CLI11_PARSE(app, argc, argv);
  if (o.expire + o.revoke > 1.0) {
    std::fprintf(stderr, "--expire + --revoke must not exceed 1\n");
    return 2;
  }
  if (sodium_init() < 0) return 2;
  try {
    return Run(o);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "tenzro-sim: %s\n", ex.what());
    return 2;
  }
}

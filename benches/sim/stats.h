// Fairness statistics of the simulation (bench code; floating point is fine
// here: nothing in it decides a weight or a leader).
//
// Each class c (attested, unattested, demoted) expects a share p_c = W_c / W
// of the slots. Over S slots its count is binomial(S, p_c); the two-sided
// 99.9% bound is S p_c +- z sqrt(S p_c (1 - p_c)) with z = 3.2905 (normal
// approximation; S is large). The chi-square statistic over the k classes
// with p_c > 0 has k - 1 degrees of freedom; its 99.9% critical values are
// 10.828 (1), 13.816 (2).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace tenzro::simstats {

inline constexpr double kZ999 = 3.2905267314919255;

struct ClassResult {
  std::string name;
  uint64_t validators = 0;
  double expected_share = 0;  // W_c / W
  uint64_t observed = 0;      // slots led
  double expected = 0;        // S p
  double bound = 0;           // z sqrt(S p (1 - p))
  double z = 0;               // (observed - expected) / sigma
  bool inside = true;
};

inline double ChiSquareCritical999(unsigned dof) {
  switch (dof) {
    case 0:
      return 0;
    case 1:
      return 10.828;
    case 2:
      return 13.816;
    case 3:
      return 16.266;
    default:
      return 16.266 + 2.2 * (dof - 3);  // not reached: at most 3 classes
  }
}

struct Fairness {
  std::vector<ClassResult> classes;
  double chi2 = 0;
  unsigned dof = 0;
  double chi2_critical = 0;
  bool ok = true;
};

// weights[c] = W_c (as doubles; ratios only), counts[c] = slots led.
inline Fairness Evaluate(const std::vector<std::string>& names, const std::vector<double>& weights,
                         const std::vector<uint64_t>& validators,
                         const std::vector<uint64_t>& counts, uint64_t slots) {
  Fairness f;
  double total = 0;
  for (double w : weights) total += w;
  unsigned present = 0;
  for (size_t c = 0; c < names.size(); ++c) {
    ClassResult r;
    r.name = names[c];
    r.validators = validators[c];
    r.observed = counts[c];
    r.expected_share = total > 0 ? weights[c] / total : 0;
    const double s = static_cast<double>(slots);
    r.expected = s * r.expected_share;
    const double sigma = std::sqrt(s * r.expected_share * (1 - r.expected_share));
    r.bound = kZ999 * sigma;
    if (r.expected_share > 0) {
      ++present;
      f.chi2 += (static_cast<double>(r.observed) - r.expected) *
                (static_cast<double>(r.observed) - r.expected) / r.expected;
      r.z = sigma > 0 ? (static_cast<double>(r.observed) - r.expected) / sigma : 0;
      r.inside = sigma > 0 ? std::abs(static_cast<double>(r.observed) - r.expected) <= r.bound
                           : r.observed == static_cast<uint64_t>(std::llround(r.expected));
    } else {
      r.inside = r.observed == 0;  // a class without weight must never lead
    }
    f.ok = f.ok && r.inside;
    f.classes.push_back(r);
  }
  f.dof = present > 0 ? present - 1 : 0;
  f.chi2_critical = ChiSquareCritical999(f.dof);
  if (f.dof > 0 && f.chi2 > f.chi2_critical) f.ok = false;
  return f;
}

}  // namespace tenzro::simstats

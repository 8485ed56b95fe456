#include "attestation/detect/detect_test_util.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>

#include "attestation/snp/report_format.h"
#include "attestation/snp/sim/simulator.h"
#include "attestation/tdx/sim/scenario.h"

namespace tenzro::tee::testing {

namespace {
// ECDSA signatures are randomised: one blob per input, so a test can compare
// what the fake device served with what the generator returned.
template <typename F>
Bytes Memo(std::map<std::array<uint8_t, 64>, Bytes>& memo, const std::array<uint8_t, 64>& key,
           F make) {
  static std::mutex mu;
  std::lock_guard<std::mutex> l(mu);
  auto it = memo.find(key);
  if (it == memo.end()) it = memo.emplace(key, make()).first;
  return it->second;
}
std::map<std::array<uint8_t, 64>, Bytes> g_tdx, g_snp, g_table;

Bytes MakeTdxQuote(const std::array<uint8_t, 64>& report_data) {
  auto s = tdx::sim::Scenario::Tdx();
  s.quote.binding.reset();
  s.quote.td.report_data = report_data;
  auto q = s.Quote();
  BOOST_REQUIRE_MESSAGE(q.ok(), (q.ok() ? "" : q.status().ToString()));
  return std::move(*q);
}
}  // namespace

Bytes SimTdxQuote(const std::array<uint8_t, 64>& report_data) {
  return Memo(g_tdx, report_data, [&] { return MakeTdxQuote(report_data); });
}

namespace {
Result<snp::sim::SimEvidence> SimSnp(const std::array<uint8_t, 64>& report_data) {
  auto spec = snp::sim::DefaultSimSpec(snp::format::Product::kGenoa);
  spec.report.report_data = report_data;
  return snp::sim::Simulate(spec);
}
}  // namespace

Bytes SimSnpReport(const std::array<uint8_t, 64>& report_data) {
  return Memo(g_snp, report_data, [&] {
    auto ev = SimSnp(report_data);
    BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
    return ev->report;
  });
}

Bytes SimSnpCertTable() {
  return Memo(g_table, {}, [] {
    auto ev = SimSnp({});
    BOOST_REQUIRE(ev.ok());
    Bytes ext = ev->Extended();
    return Bytes(ext.begin() + static_cast<std::ptrdiff_t>(snp::format::kReportSize), ext.end());
  });
}

std::string FakeNvmlPath() { return TEE_FAKE_NVML_PATH; }

}  // namespace tenzro::tee::testing

#include "attestation/detect/detect_test_util.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>

#include <cstring>

#include "attestation/detect/guest_ioctl.h"
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

void SnpExtReportDevice(FakeDevices& io, size_t certs_needed, int* calls) {
  io.OnIoctl(
      detect::kSevGuestDevice, [certs_needed, calls](unsigned long req, void* arg) -> Result<int> {
        ++*calls;
        BOOST_TEST(req == 0xC0205302ul);  // _IOWR('S', 2, struct snp_guest_request_ioctl)
        auto* g = static_cast<detect::SnpGuestRequestIoctl*>(arg);
        BOOST_TEST(g->msg_version == 1);
        auto* ext = reinterpret_cast<detect::SnpExtReportReq*>(static_cast<uintptr_t>(g->req_data));
        BOOST_TEST(ext->data.vmpl == 0u);
        if (ext->certs_len < certs_needed) {
          ext->certs_len = static_cast<uint32_t>(certs_needed);
          g->exitinfo2 = uint64_t{detect::kSnpVmmErrInvalidLen} << 32;
          return Error(ErrorCode::kInternal, "ioctl /dev/sev-guest: Invalid argument");
        }
        std::array<uint8_t, 64> rd{};
        std::memcpy(rd.data(), ext->data.user_data, 64);
        const Bytes rep = SimSnpReport(rd);
        const Bytes table = SimSnpCertTable();
        BOOST_REQUIRE(table.size() <= ext->certs_len);
        auto* out = reinterpret_cast<detect::SnpReportResp*>(static_cast<uintptr_t>(g->resp_data));
        const uint32_t size = static_cast<uint32_t>(rep.size());
        std::memcpy(out->data + 4, &size, 4);
        std::memcpy(out->data + 0x20, rep.data(), rep.size());
        std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(ext->certs_address)),
                    table.data(), table.size());
        return 0;
      });
}

std::string FakeNvmlPath() { return TEE_FAKE_NVML_PATH; }

}  // namespace tenzro::tee::testing

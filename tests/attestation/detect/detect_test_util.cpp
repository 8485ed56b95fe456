#include "attestation/detect/detect_test_util.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>

#include <cstring>

#include <dlfcn.h>

#include "attestation/detect/guest_ioctl.h"
#include "attestation/detect/nsm.h"
#include "attestation/detect/sim/simulate.h"
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

void CborText(Bytes& b, const std::string& s) {
  BOOST_REQUIRE(s.size() < 24);
  b.push_back(static_cast<uint8_t>(0x60 | s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

void CborBytes(Bytes& b, ByteView v) {
  BOOST_REQUIRE(v.size() < 65536);
  if (v.size() < 24) {
    b.push_back(static_cast<uint8_t>(0x40 | v.size()));
  } else if (v.size() < 256) {
    b.push_back(0x58);
    b.push_back(static_cast<uint8_t>(v.size()));
  } else {
    b.push_back(0x59);
    b.push_back(static_cast<uint8_t>(v.size() >> 8));
    b.push_back(static_cast<uint8_t>(v.size()));
  }
  b.insert(b.end(), v.begin(), v.end());
}

Bytes NsmAttestationResponse(ByteView document) {
  Bytes resp = {0xA1};
  CborText(resp, "Attestation");
  resp.push_back(0xA1);
  CborText(resp, "document");
  CborBytes(resp, document);
  return resp;
}

void NsmDevice(FakeDevices& io, Bytes expected_request, Bytes response, int* calls) {
  io.OnIoctl(detect::kNsmDevice, [=](unsigned long req, void* arg) -> Result<int> {
    ++*calls;
    BOOST_TEST(req == 0xC0200A00ul);  // _IOWR(0x0A, 0, struct nsm_raw)
    auto* raw = static_cast<detect::NsmRaw*>(arg);
    const auto* p = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(raw->request.addr));
    BOOST_TEST(Bytes(p, p + raw->request.len) == expected_request);
    BOOST_REQUIRE(raw->response.len >= response.size());
    std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(raw->response.addr)),
                response.data(), response.size());
    raw->response.len = response.size();
    return 0;
  });
}

Bytes NsmAttestationRequestCbor(const Bytes& nonce) {
  Bytes want = {0xA1};
  CborText(want, "Attestation");
  want.push_back(0xA3);
  CborText(want, "user_data");
  want.push_back(0xF6);
  CborText(want, "nonce");
  CborBytes(want, AsView(nonce));
  CborText(want, "public_key");
  want.push_back(0xF6);
  return want;
}

void SimulatedNsmDevice(FakeDevices& io, const Bytes& nonce, const Bytes& document_nonce,
                        uint64_t now, int* calls) {
  Bytes want = NsmAttestationRequestCbor(nonce);
  detect::NsmAttestationRequest req;
  req.nonce = document_nonce;
  auto doc = detect::sim::SimulatedNsmDocument(req, now);
  BOOST_REQUIRE_MESSAGE(doc.ok(), (doc.ok() ? "" : doc.status().ToString()));
  NsmDevice(io, std::move(want), NsmAttestationResponse(AsView(*doc)), calls);
}

std::string FakeNvmlPath() { return TEE_FAKE_NVML_PATH; }

// ---- SimulatedNvmlGpus ---------------------------------------------------------

struct SimulatedNvmlGpus::Gpus {
  std::map<unsigned, detect::sim::SimulatedGpu> by_index;
  int* reports = nullptr;
};

namespace {
SimulatedNvmlGpus::Gpus* g_active = nullptr;  // the one in scope
}  // namespace

SimulatedNvmlGpus::SimulatedNvmlGpus() : gpus_(std::make_unique<Gpus>()) {
  BOOST_REQUIRE(g_active == nullptr);
  for (unsigned i : {0u, 2u}) {  // the fake's H100s
    auto gpu = detect::sim::SimulatedGpu::Make();
    BOOST_REQUIRE_MESSAGE(gpu.ok(), (gpu.ok() ? "" : gpu.status().ToString()));
    gpus_->by_index.emplace(i, std::move(*gpu));
  }
  gpus_->reports = &reports_;
  lib_ = dlopen(FakeNvmlPath().c_str(), RTLD_NOW | RTLD_LOCAL);
  BOOST_REQUIRE_MESSAGE(lib_ != nullptr, dlerror());
  set_ = reinterpret_cast<decltype(set_)>(dlsym(lib_, "fake_nvml_set_gpu"));
  BOOST_REQUIRE(set_ != nullptr);
  g_active = gpus_.get();
  set_(&Report, &Chain);
}

SimulatedNvmlGpus::~SimulatedNvmlGpus() {
  if (set_ != nullptr) set_(nullptr, nullptr);
  g_active = nullptr;
  if (lib_ != nullptr) dlclose(lib_);
}

const std::string& SimulatedNvmlGpus::ChainPem(unsigned index) const {
  return gpus_->by_index.at(index).chain_pem();
}

int SimulatedNvmlGpus::Report(unsigned gpu, const unsigned char* nonce, unsigned char* out,
                              unsigned capacity) {
  if (g_active == nullptr || g_active->by_index.count(gpu) == 0) return -1;
  std::array<uint8_t, 32> n{};
  std::memcpy(n.data(), nonce, n.size());
  auto r = g_active->by_index.at(gpu).Report(n);
  if (!r.ok() || r->size() > capacity) return -1;
  std::memcpy(out, r->data(), r->size());
  ++*g_active->reports;
  return static_cast<int>(r->size());
}

int SimulatedNvmlGpus::Chain(unsigned gpu, unsigned char* out, unsigned capacity) {
  if (g_active == nullptr || g_active->by_index.count(gpu) == 0) return -1;
  const std::string& pem = g_active->by_index.at(gpu).chain_pem();
  if (pem.size() > capacity) return -1;
  std::memcpy(out, pem.data(), pem.size());
  return static_cast<int>(pem.size());
}

}  // namespace tenzro::tee::testing

// Shared by the detection and generation tests: the simulators playing the
// hardware behind FakeDevices, and the fake NVML's path.
#pragma once

#include <array>
#include <cstdlib>
#include <memory>
#include <string>

#include "attestation/detect/fake_devices.h"
#include "core/bytes.h"
#include "core/device_io.h"

namespace tenzro::tee::testing {

// A DCAP TDX quote of the default simulated platform with `report_data`.
Bytes SimTdxQuote(const std::array<uint8_t, 64>& report_data);
// A signed SEV-SNP report (Genoa, dev VCEK) with `report_data`.
Bytes SimSnpReport(const std::array<uint8_t, 64>& report_data);
// The GHCB certificate table (VCEK, ASK, ARK) of every SimSnpReport.
Bytes SimSnpCertTable();

// Plays /dev/sev-guest SNP_GET_EXT_REPORT as KVM does: a certificate buffer
// under `certs_needed` bytes is refused with the needed size (vmm_error 1),
// else the simulated report for the request's user data and
// SimSnpCertTable(). Counts calls in *calls. The request layout is checked.
void SnpExtReportDevice(FakeDevices& io, size_t certs_needed, int* calls);

// CBOR by hand (RFC 8949), independent of libcbor: a text string (< 24
// bytes) and a byte string (< 65536 bytes), head and content.
void CborText(Bytes& b, const std::string& s);
void CborBytes(Bytes& b, ByteView v);
// {"Attestation": {"user_data": null, "nonce": h'<nonce>', "public_key": null}}
Bytes NsmAttestationRequestCbor(const Bytes& nonce);
// The NSM's answer {"Attestation": {"document": h'...'}}.
Bytes NsmAttestationResponse(ByteView document);

// Plays /dev/nsm (NSM_IOCTL_RAW): checks the request bytes against
// `expected_request`, answers `response`, counts calls in *calls.
void NsmDevice(FakeDevices& io, Bytes expected_request, Bytes response, int* calls);
// A Nitro Secure Module with the Nitro simulator behind it: expects the
// request {"Attestation": {user_data: null, nonce: `nonce`, public_key: null}}
// (hand-written CBOR) and answers the simulator's document for
// `document_nonce` (the same nonce unless a test wants a wrong answer),
// dated `now`.
void SimulatedNsmDevice(FakeDevices& io, const Bytes& nonce, const Bytes& document_nonce,
                        uint64_t now, int* calls);

// The fake libnvidia-ml.so.1 the test suite builds (TEE_FAKE_NVML_PATH).
std::string FakeNvmlPath();

// For its scope, the fake NVML's H100s (indices 0 and 2) are GPUs of the
// NVIDIA simulator (detect/sim SimulatedGpu): reports signed for the nonce
// the caller passes, under each GPU's development chain. Holds the fake
// library loaded (so dlopen("libnvidia-ml.so.1") finds it by soname too).
// One at a time; not copyable (it owns the GPUs).
class SimulatedNvmlGpus {
 public:
  SimulatedNvmlGpus();
  ~SimulatedNvmlGpus();
  // The PEM chain of the GPU at NVML index `index`.
  const std::string& ChainPem(unsigned index) const;
  // Reports served so far.
  int reports() const { return reports_; }

  struct Gpus;

 private:
  static int Report(unsigned gpu, const unsigned char* nonce, unsigned char* out,
                    unsigned capacity);
  static int Chain(unsigned gpu, unsigned char* out, unsigned capacity);
  void* lib_ = nullptr;
  void (*set_)(decltype(&Report), decltype(&Chain)) = nullptr;
  std::unique_ptr<Gpus> gpus_;
  int reports_ = 0;
};

// Sets TENZRO_FAKE_NVML for the scope (the fake reads it on every call).
class FakeNvmlMode {
 public:
  explicit FakeNvmlMode(const char* mode) { ::setenv("TENZRO_FAKE_NVML", mode, 1); }
  ~FakeNvmlMode() { ::unsetenv("TENZRO_FAKE_NVML"); }
  FakeNvmlMode(const FakeNvmlMode&) = delete;
  FakeNvmlMode& operator=(const FakeNvmlMode&) = delete;
};

}  // namespace tenzro::tee::testing

// Shared by the detection and generation tests: the simulators playing the
// hardware behind FakeDevices, and the fake NVML's path.
#pragma once

#include <array>
#include <cstdlib>
#include <string>

#include "attestation/detect/fake_devices.h"
#include "core/bytes.h"

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

// The fake libnvidia-ml.so.1 the test suite builds (TEE_FAKE_NVML_PATH).
std::string FakeNvmlPath();

// Sets TENZRO_FAKE_NVML for the scope (the fake reads it on every call).
class FakeNvmlMode {
 public:
  explicit FakeNvmlMode(const char* mode) { ::setenv("TENZRO_FAKE_NVML", mode, 1); }
  ~FakeNvmlMode() { ::unsetenv("TENZRO_FAKE_NVML"); }
  FakeNvmlMode(const FakeNvmlMode&) = delete;
  FakeNvmlMode& operator=(const FakeNvmlMode&) = delete;
};

}  // namespace tenzro::tee::testing

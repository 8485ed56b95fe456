// NVML, loaded at run time with dlopen (never linked: a validator without an
// NVIDIA driver loads the plugin all the same). Only the symbols below are
// used; the structure layouts are those of nvml.h (CUDA 12.2+), written here
// because the driver's header is not a Debian build dependency.
//
// The library path is injectable: production passes "libnvidia-ml.so.1" (the
// loader's search path), tests the path of a fake built by the test suite.
// Thread-safety: NVML is thread-safe; one Nvml may be shared.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::detect {

inline constexpr char kNvmlLibrary[] = "libnvidia-ml.so.1";

// nvmlDeviceArchitecture_t values.
inline constexpr unsigned kNvmlArchHopper = 9;
std::string NvmlArchName(unsigned arch);  // "HOPPER", "BLACKWELL", ... or "UNKNOWN"
// Architectures NVIDIA's GPU attestation covers: Hopper and later.
bool NvmlArchCcCapable(unsigned arch);

struct NvmlGpu {
  unsigned index = 0;
  std::string name;
  unsigned arch = 0;
};

struct NvmlCcState {
  unsigned environment = 0;     // 0 unavailable, 1 simulated, 2 production
  unsigned cc_feature = 0;      // 1 enabled
  unsigned dev_tools_mode = 0;  // 1 enabled (no production attestation)
};

// One GPU's attestation report: the SPDM GET_MEASUREMENTS request the driver
// sent (carrying the nonce) followed by the GPU's signed response.
struct NvmlAttestation {
  std::array<uint8_t, 32> nonce{};
  Bytes report;
};

class Nvml {
 public:
  // dlopen(library) and nvmlInit_v2. kNotFound when the library cannot be
  // loaded, kUnsupported when a required symbol is missing, kInternal when
  // nvmlInit fails (with NVML's own message).
  static Result<std::unique_ptr<Nvml>> Load(const std::string& library);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  Result<std::string> DriverVersion() const;
  Result<unsigned> DeviceCount() const;
  Result<NvmlGpu> Device(unsigned index) const;
  // nvmlSystemGetConfComputeState; kUnsupported on drivers without CC.
  Result<NvmlCcState> CcState() const;
  Result<NvmlAttestation> AttestationReport(unsigned index,
                                            const std::array<uint8_t, 32>& nonce) const;
  // The PEM chain the SPDM response is signed under (attestationCertChain).
  Result<std::string> AttestationCertChain(unsigned index) const;

  struct Api;

 private:
  explicit Nvml(void* lib);
  void* lib_;
  std::unique_ptr<Api> api_;
};

}  // namespace tenzro::tee::detect

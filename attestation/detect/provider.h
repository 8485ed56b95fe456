// TeeProvider (the seed's name): evidence generation on this machine, bound
// to DESIGN §4's binding exactly where each verifier looks, in the form
// register_validator verifies. Node side only; real hardware only (simulated
// generation is attestation/detect/sim/, which links the simulators and is
// linked by the CLI and the tests, never by the plugin module).
//
//   IntelTdxProvider   configfs-tsm tdx_guest: outblob is the DCAP quote
//                      (report data = binding). No fallback yields a quote
//                      (see guest_ioctl.h): without configfs-tsm, kUnsupported.
//   AmdSevSnpProvider  configfs-tsm sev_guest: outblob || auxblob, i.e. the
//                      report (report data = binding) and its GHCB
//                      certificate table; fallback /dev/sev-guest
//                      SNP_GET_EXT_REPORT, same form.
//   AwsNitroProvider   NSM Attestation with nonce = binding (64 bytes), plus
//                      the optional public_key / user_data; the COSE_Sign1
//                      document as the NSM returns it, once it parses and
//                      carries the binding.
//   NvidiaGpuProvider  NVML, every CC-capable GPU, nonce = binding[0..32):
//                      NVIDIA's serialized evidence JSON
//                      {"nonce": hex, "arch": "HOPPER", "evidence_list":
//                       [{"evidence": base64(SPDM request || response),
//                         "certificate": base64(PEM chain)}]}.
// Every generator checks its output before returning it: the binding must be
// where the verifier will look (a provider that answered another request is
// an error, not evidence).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attestation/binding.h"
#include "attestation/detect/configfs_tsm.h"
#include "attestation/detect/detect.h"
#include "attestation/tee_type.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee {

using Binding = std::array<uint8_t, 64>;

class TeeProvider {
 public:
  virtual ~TeeProvider() = default;
  virtual TeeType type() const = 0;
  // Errors: kNotFound (no such device), kUnsupported (no usable path),
  // kInvalidArgument, kInternal (the device or library failed; the message
  // says what it answered).
  virtual Result<Bytes> generate_attestation(const Binding& binding) const = 0;
};

class IntelTdxProvider final : public TeeProvider {
 public:
  explicit IntelTdxProvider(const DeviceIo& io, detect::TsmOptions tsm = {})
      : io_(io), tsm_(std::move(tsm)) {}
  TeeType type() const override { return TeeType::IntelTdx; }
  Result<Bytes> generate_attestation(const Binding& binding) const override;

 private:
  const DeviceIo& io_;
  detect::TsmOptions tsm_;
};

class AmdSevSnpProvider final : public TeeProvider {
 public:
  explicit AmdSevSnpProvider(const DeviceIo& io, detect::TsmOptions tsm = {})
      : io_(io), tsm_(std::move(tsm)) {}
  TeeType type() const override { return TeeType::AmdSevSnp; }
  Result<Bytes> generate_attestation(const Binding& binding) const override;

 private:
  const DeviceIo& io_;
  detect::TsmOptions tsm_;
};

class AwsNitroProvider final : public TeeProvider {
 public:
  explicit AwsNitroProvider(const DeviceIo& io, std::optional<Bytes> public_key = std::nullopt,
                            std::optional<Bytes> user_data = std::nullopt)
      : io_(io), public_key_(std::move(public_key)), user_data_(std::move(user_data)) {}
  TeeType type() const override { return TeeType::AwsNitro; }
  Result<Bytes> generate_attestation(const Binding& binding) const override;

 private:
  const DeviceIo& io_;
  std::optional<Bytes> public_key_;
  std::optional<Bytes> user_data_;
};

class NvidiaGpuProvider final : public TeeProvider {
 public:
  explicit NvidiaGpuProvider(std::string nvml_library = "libnvidia-ml.so.1")
      : nvml_library_(std::move(nvml_library)) {}
  TeeType type() const override { return TeeType::NvidiaGpu; }
  Result<Bytes> generate_attestation(const Binding& binding) const override;

 private:
  std::string nvml_library_;
};

namespace detect {

// One GPU's part of NVIDIA's serialized evidence.
struct GpuReport {
  unsigned index = 0;     // NVML's index, for messages
  Bytes report;           // SPDM GET_MEASUREMENTS request || signed response
  std::string chain_pem;  // the chain the response is signed under, leaf first
};
// NVIDIA's serialized evidence JSON (the shape above) for GPUs of `arch`,
// after checking that each report's SPDM request carries `nonce`
// (kInternal otherwise: it answered another request). Shared by the NVML
// provider and simulated generation.
Result<Bytes> NvidiaEvidenceJson(const std::array<uint8_t, 32>& nonce, const std::string& arch,
                                 const std::vector<GpuReport>& gpus);
// The NSM's document must parse and carry `binding` as its nonce (DESIGN §4);
// kInternal otherwise. Shared by the NSM provider and simulated generation.
Status CheckNitroDocument(ByteView document, const Binding& binding);

}  // namespace detect

// The provider of a hardware type over env's seams; nullptr for None, SGX and
// Simulated (no generator here).
std::unique_ptr<TeeProvider> MakeTeeProvider(TeeType type, const detect::Environment& env);

// MakeTeeProvider + generate_attestation(ComputeBinding(in)). kUnsupported
// for types without a generator.
Result<Bytes> GenerateEvidence(TeeType type, const ReportDataBinding& in,
                               const detect::Environment& env);

}  // namespace tenzro::tee

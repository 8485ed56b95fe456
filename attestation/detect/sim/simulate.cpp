#include "attestation/detect/sim/simulate.h"

#include <algorithm>

#include "attestation/detect/provider.h"
#include "attestation/nitro/sim/document_builder.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "attestation/snp/sim/simulator.h"
#include "attestation/tdx/sim/scenario.h"
#include "attestation/vendors.h"
#include "crypto/aead.h"

// A vendor built out (-DTEE_VENDOR_*=OFF) has no simulator linked: every
// call below reaches it only under `if constexpr (VendorBuilt(...))`.
namespace tenzro::tee::detect::sim {
namespace {

Status BuiltOut(Vendor v) {
  return Error(ErrorCode::kUnsupported, "simulated generation: " + VendorBuiltOutMessage(v));
}

// A VBIOS version of the simulated GPU (96.00.9f.00.01, as the NVIDIA
// simulator's tests use).
constexpr std::array<uint8_t, 8> kVbios = {0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0};

Result<SimulatedEvidence> Nitro(const ReportDataBinding& in, uint64_t now) {
  const auto binding = ComputeBinding(in);
  NsmAttestationRequest req;
  req.nonce = Bytes(binding.begin(), binding.end());
  TEE_ASSIGN_OR_RETURN(Bytes doc, SimulatedNsmDocument(req, now));
  TEE_TRY(CheckNitroDocument(AsView(doc), binding));
  return SimulatedEvidence{std::move(doc), {}};
}

Result<SimulatedEvidence> Nvidia(const ReportDataBinding& in) {
  const auto binding = ComputeBinding(in);
  std::array<uint8_t, 32> nonce{};
  std::copy_n(binding.begin(), nonce.size(), nonce.begin());
  TEE_ASSIGN_OR_RETURN(SimulatedGpu gpu, SimulatedGpu::Make());
  TEE_ASSIGN_OR_RETURN(Bytes report, gpu.Report(nonce));
  TEE_ASSIGN_OR_RETURN(
      Bytes json, NvidiaEvidenceJson(nonce, "HOPPER", {{0, std::move(report), gpu.chain_pem()}}));
  return SimulatedEvidence{std::move(json), {}};
}

}  // namespace

Result<Bytes> SimulatedNsmDocument(const NsmAttestationRequest& req, uint64_t now) {
  if constexpr (!VendorBuilt(Vendor::kAwsNitro)) {
    (void)req, (void)now;
    return BuiltOut(Vendor::kAwsNitro);
  } else {
    nitro::sim::DocumentSpec spec;
    spec.timestamp_ms = now * 1000;
    spec.nonce = req.nonce;
    spec.public_key = req.public_key;
    spec.user_data = req.user_data;
    return nitro::sim::MakeDocument(spec);
  }
}

std::array<uint8_t, 48> SimulatedGpu::Fwid() {
  std::array<uint8_t, 48> f{};
  f.fill(0xF1);
  return f;
}

Result<SimulatedGpu> SimulatedGpu::Make() {
  if constexpr (!VendorBuilt(Vendor::kNvidiaGpu)) {
    return BuiltOut(Vendor::kNvidiaGpu);
  } else {
    nvidia::sim::ChainSpec spec;
    spec.arch = nvidia::Arch::kHopper;
    spec.fwid = Fwid();
    TEE_ASSIGN_OR_RETURN(nvidia::sim::DevChain chain, nvidia::sim::IssueDevChain(spec));
    return SimulatedGpu(std::move(chain));
  }
}

Result<Bytes> SimulatedGpu::Report(const std::array<uint8_t, 32>& nonce) const {
  if constexpr (!VendorBuilt(Vendor::kNvidiaGpu)) {
    (void)nonce;
    return BuiltOut(Vendor::kNvidiaGpu);
  } else {
    nvidia::sim::ReportSpec spec;
    std::copy(nonce.begin(), nonce.end(), spec.nonce.begin());
    spec.measurements = nvidia::sim::HopperMeasurements();
    spec.opaque = nvidia::sim::GpuOpaque(kDriverVersion, kVbios, Fwid());
    // A GPU answers with a fresh responder nonce (SPDM), so two reports for
    // one request nonce are two pieces of evidence, as on hardware.
    TEE_TRY(crypto::RandomBytes(spec.responder_nonce));
    return nvidia::sim::SignedReport(spec, chain_.leaf_key());
  }
}

Result<SimulatedEvidence> SimulateEvidence(TeeType type, const ReportDataBinding& binding,
                                           uint64_t now) {
  switch (type) {
    case TeeType::IntelTdx:
      if constexpr (VendorBuilt(Vendor::kIntelTdx)) {
        SimulatedEvidence o;
        TEE_ASSIGN_OR_RETURN(o.evidence, tdx::sim::SimulateQuote(true, binding));
        TEE_ASSIGN_OR_RETURN(o.collateral, tdx::sim::SimulateCollateral(true, now));
        return o;
      }
      return BuiltOut(Vendor::kIntelTdx);
    case TeeType::AmdSevSnp:
      if constexpr (VendorBuilt(Vendor::kAmdSevSnp)) {
        auto spec = snp::sim::DefaultSimSpec(snp::format::Product::kGenoa);
        snp::sim::Bind(spec.report, binding);
        TEE_ASSIGN_OR_RETURN(snp::sim::SimEvidence ev, snp::sim::Simulate(spec));
        return SimulatedEvidence{ev.Extended(), {}};
      }
      return BuiltOut(Vendor::kAmdSevSnp);
    case TeeType::AwsNitro:
      return Nitro(binding, now);
    case TeeType::NvidiaGpu:
      return Nvidia(binding);
    default:
      return Error(ErrorCode::kUnsupported,
                   "no simulated generation for " + std::string(TeeTypeName(type)));
  }
}

}  // namespace tenzro::tee::detect::sim

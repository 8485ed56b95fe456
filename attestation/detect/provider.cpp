#include "attestation/detect/provider.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "attestation/detect/guest_ioctl.h"
#include "attestation/detect/nsm.h"
#include "attestation/detect/nvml.h"
#include "attestation/nitro/document.h"
#include "attestation/snp/report.h"
#include "attestation/tdx/quote.h"
#include "attestation/vendors.h"
#include "crypto/base64.h"

namespace tenzro::tee {
namespace {

// SPDM GET_MEASUREMENTS request (DSP0274 §10.11): version, code 0xE0,
// param1, param2, then the 32-byte nonce at offset 4.
constexpr uint8_t kSpdmGetMeasurements = 0xE0;
constexpr size_t kSpdmNonceOffset = 4;
constexpr size_t kSpdmNonceSize = 32;

[[maybe_unused]] Status CheckSnpReport(ByteView report, const Binding& binding) {
  auto parsed = snp::ParseReport(report);
  if (!parsed.ok()) {
    return Error(ErrorCode::kInternal, "the SEV-SNP report the kernel returned does not parse: " +
                                           parsed.status().message());
  }
  if (parsed->report_data != binding) {
    return Error(ErrorCode::kInternal,
                 "the SEV-SNP report does not carry the binding as REPORT_DATA");
  }
  return Status::Ok();
}

Bytes Concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

namespace detect {

Result<Bytes> NvidiaEvidenceJson(const std::array<uint8_t, 32>& nonce, const std::string& arch,
                                 const std::vector<GpuReport>& gpus) {
  nlohmann::json list = nlohmann::json::array();
  for (const GpuReport& g : gpus) {
    const Bytes& r = g.report;
    if (r.size() < kSpdmNonceOffset + kSpdmNonceSize || r[1] != kSpdmGetMeasurements ||
        !std::equal(nonce.begin(), nonce.end(),
                    r.begin() + static_cast<std::ptrdiff_t>(kSpdmNonceOffset))) {
      return Error(ErrorCode::kInternal, "NVIDIA: GPU " + std::to_string(g.index) +
                                             ": the attestation report's SPDM request does not "
                                             "carry the nonce");
    }
    list.push_back({{"evidence", crypto::Base64Encode(AsView(r))},
                    {"certificate", crypto::Base64Encode(ByteView(
                                        reinterpret_cast<const uint8_t*>(g.chain_pem.data()),
                                        g.chain_pem.size()))}});
  }
  const nlohmann::json doc = {
      {"nonce", ToHex(AsView(nonce))}, {"arch", arch}, {"evidence_list", std::move(list)}};
  const std::string text = doc.dump();
  return Bytes(text.begin(), text.end());
}

Status CheckNitroDocument(ByteView document, const Binding& binding) {
  if constexpr (!VendorBuilt(Vendor::kAwsNitro)) {
    (void)document, (void)binding;
    return Error(ErrorCode::kUnsupported, "Nitro: " + VendorBuiltOutMessage(Vendor::kAwsNitro));
  } else {
    auto doc = nitro::ParseDocument(document);
    if (!doc.ok()) {
      return Error(ErrorCode::kInternal, "Nitro: the NSM's attestation document does not parse: " +
                                             doc.status().message());
    }
    if (!doc->nonce ||
        !std::equal(doc->nonce->begin(), doc->nonce->end(), binding.begin(), binding.end())) {
      return Error(ErrorCode::kInternal,
                   "Nitro: the attestation document does not carry the binding as its nonce");
    }
    return Status::Ok();
  }
}

}  // namespace detect

Result<Bytes> IntelTdxProvider::generate_attestation(const Binding& binding) const {
  if constexpr (!VendorBuilt(Vendor::kIntelTdx)) {
    (void)binding;
    return Error(ErrorCode::kUnsupported, "TDX: " + VendorBuiltOutMessage(Vendor::kIntelTdx));
  } else {
    auto rep = detect::TsmGetReport(io_, detect::kTsmProviderTdx, binding, tsm_);
    if (!rep.ok()) {
      if (rep.status().code() == ErrorCode::kNotFound &&
          (io_.Exists(detect::kTdxGuestDevice) || io_.Exists(detect::kTdxGuestDeviceOld))) {
        return Error(ErrorCode::kUnsupported,
                     "TDX: configfs-tsm is absent; /dev/tdx_guest gives only a TDREPORT (MAC'd "
                     "for this CPU, not verifiable elsewhere), so no quote can be made: use "
                     "Linux 6.7+ with configfs-tsm");
      }
      return Error(rep.status().code(), "TDX: " + rep.status().message());
    }
    auto quote = tdx::ParseQuote(AsView(rep->outblob));
    if (!quote.ok()) {
      return Error(ErrorCode::kInternal,
                   "TDX: configfs-tsm outblob is not a quote: " + quote.status().message());
    }
    if (!quote->is_tdx() || quote->report_data() != binding) {
      return Error(ErrorCode::kInternal, "TDX: the quote does not carry the binding as REPORTDATA");
    }
    return std::move(rep->outblob);
  }
}

Result<Bytes> AmdSevSnpProvider::generate_attestation(const Binding& binding) const {
  if constexpr (!VendorBuilt(Vendor::kAmdSevSnp)) {
    (void)binding;
    return Error(ErrorCode::kUnsupported, "SEV-SNP: " + VendorBuiltOutMessage(Vendor::kAmdSevSnp));
  } else {
    auto rep = detect::TsmGetReport(io_, detect::kTsmProviderSnp, binding, tsm_);
    if (rep.ok()) {
      TEE_TRY(CheckSnpReport(AsView(rep->outblob), binding));
      return Concat(AsView(rep->outblob), AsView(rep->auxblob));
    }
    if (rep.status().code() != ErrorCode::kNotFound) {
      return Error(rep.status().code(), "SEV-SNP: " + rep.status().message());
    }
    if (!io_.Exists(detect::kSevGuestDevice)) {
      return Error(ErrorCode::kNotFound,
                   "SEV-SNP: neither configfs-tsm nor /dev/sev-guest is present");
    }
    auto ext = detect::SnpGetExtReport(io_, binding);
    if (!ext.ok()) return Error(ext.status().code(), "SEV-SNP: " + ext.status().message());
    TEE_TRY(CheckSnpReport(AsView(ext->report), binding));
    return Concat(AsView(ext->report), AsView(ext->certs));
  }
}

Result<Bytes> AwsNitroProvider::generate_attestation(const Binding& binding) const {
  if (!io_.Exists(detect::kNsmDevice)) {
    return Error(ErrorCode::kNotFound, "Nitro: no /dev/nsm (not inside a Nitro Enclave)");
  }
  detect::NsmAttestationRequest req;
  req.nonce = Bytes(binding.begin(), binding.end());
  req.public_key = public_key_;
  req.user_data = user_data_;
  auto doc = detect::NsmGetAttestation(io_, req);
  if (!doc.ok()) return Error(doc.status().code(), "Nitro: " + doc.status().message());
  TEE_TRY(detect::CheckNitroDocument(AsView(*doc), binding));
  return doc;
}

Result<Bytes> NvidiaGpuProvider::generate_attestation(const Binding& binding) const {
  auto nvml = detect::Nvml::Load(nvml_library_);
  if (!nvml.ok()) return Error(nvml.status().code(), "NVIDIA: " + nvml.status().message());
  const detect::Nvml& n = **nvml;
  TEE_ASSIGN_OR_RETURN(detect::NvmlCcState cc, n.CcState());
  if (cc.cc_feature != 1) {
    return Error(ErrorCode::kUnsupported, "NVIDIA: confidential computing is off");
  }
  if (cc.dev_tools_mode == 1) {
    return Error(ErrorCode::kUnsupported, "NVIDIA: confidential computing is in devtools mode");
  }
  std::array<uint8_t, 32> nonce{};
  std::copy_n(binding.begin(), nonce.size(), nonce.begin());
  TEE_ASSIGN_OR_RETURN(unsigned count, n.DeviceCount());
  std::vector<detect::GpuReport> gpus;
  std::string arch;
  for (unsigned i = 0; i < count; ++i) {
    TEE_ASSIGN_OR_RETURN(detect::NvmlGpu gpu, n.Device(i));
    if (!detect::NvmlArchCcCapable(gpu.arch)) continue;
    const std::string name = detect::NvmlArchName(gpu.arch);
    if (!arch.empty() && arch != name) {
      return Error(ErrorCode::kUnsupported, "NVIDIA: GPUs of two architectures (" + arch + ", " +
                                                name + "); one evidence document carries one");
    }
    arch = name;
    TEE_ASSIGN_OR_RETURN(detect::NvmlAttestation att, n.AttestationReport(i, nonce));
    TEE_ASSIGN_OR_RETURN(std::string pem, n.AttestationCertChain(i));
    gpus.push_back({i, std::move(att.report), std::move(pem)});
  }
  if (gpus.empty()) {
    return Error(ErrorCode::kNotFound, "NVIDIA: no GPU of a CC-capable architecture (Hopper+)");
  }
  return detect::NvidiaEvidenceJson(nonce, arch, gpus);
}

std::unique_ptr<TeeProvider> MakeTeeProvider(TeeType type, const detect::Environment& env) {
  switch (type) {
    case TeeType::IntelTdx:
      return std::make_unique<IntelTdxProvider>(*env.io);
    case TeeType::AmdSevSnp:
      return std::make_unique<AmdSevSnpProvider>(*env.io);
    case TeeType::AwsNitro:
      return std::make_unique<AwsNitroProvider>(*env.io);
    case TeeType::NvidiaGpu:
      return std::make_unique<NvidiaGpuProvider>(env.nvml_library);
    default:
      return nullptr;
  }
}

Result<Bytes> GenerateEvidence(TeeType type, const ReportDataBinding& in,
                               const detect::Environment& env) {
  // A vendor built out generates nothing (its parsers, which check what the
  // hardware returned, are not in this build).
  if (const auto vendor = VendorOf(type); vendor && !VendorBuilt(*vendor)) {
    return Error(ErrorCode::kUnsupported, VendorBuiltOutMessage(*vendor));
  }
  auto p = MakeTeeProvider(type, env);
  if (!p) {
    return Error(ErrorCode::kUnsupported,
                 std::string("no evidence generator for ") + std::string(TeeTypeName(type)));
  }
  return p->generate_attestation(ComputeBinding(in));
}

}  // namespace tenzro::tee

// FetchTarget: one collateral document a fetcher can get, named by TEE type,
// kind and key. Its canonical Key() deduplicates requests and names it in logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "attestation/tee_type.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::fetch {

enum class Kind {
  // Intel PCS (IntelTdx: /tdx/..., IntelSgx: /sgx/...)
  kTcbInfo,     // by FMSPC (6 bytes)
  kQeIdentity,  // global
  kPckCrl,      // by CA: "platform" | "processor"
  kRootCaCrl,   // global
  // AMD KDS (AmdSevSnp), by product "Milan" | "Genoa" | "Turin"
  kVcek,       // + chip id and reported TCB
  kVcekChain,  // ASK + ARK
  kVlekChain,  // ASVK + ARK
  kKdsCrl,     // ARK-signed CRL (revokes ASKs)
  // NVIDIA (NvidiaGpu)
  kNvidiaRim,   // a RIM by its RIM ID (name), from NVIDIA's RIM service
  kNvidiaOcsp,  // an OCSP response about one device certificate: id = its DER || its issuer's DER
};
std::string_view KindName(Kind k);

// REPORTED_TCB components as KDS names them (decimal SPLs in the query).
struct SnpTcb {
  uint8_t bl = 0, tee = 0, snp = 0, ucode = 0;
  std::optional<uint8_t> fmc;  // Turin only
};

struct FetchTarget {
  TeeType tee_type = TeeType::None;
  Kind kind = Kind::kQeIdentity;
  std::string name;  // PCK CRL CA, KDS product, or NVIDIA RIM ID
  Bytes id;          // FMSPC (kTcbInfo), chip id (kVcek), certificate || issuer DER (kNvidiaOcsp)
  SnpTcb tcb;        // kVcek

  // e.g. "IntelTdx/tcb_info/b0c06f000000", "AmdSevSnp/vcek/Genoa/<hwid>/10.0.23.84",
  // "NvidiaGpu/nvidia_rim/NV_GPU_DRIVER_GH100_550.90.07",
  // "NvidiaGpu/nvidia_ocsp/<SHA-256 of id>".
  std::string Key() const;

  static FetchTarget TcbInfo(TeeType type, ByteView fmspc);
  static FetchTarget QeIdentity(TeeType type);
  static FetchTarget PckCrl(TeeType type, std::string ca);
  static FetchTarget RootCaCrl(TeeType type);
  static FetchTarget Vcek(std::string product, ByteView chip_id, SnpTcb tcb);
  static FetchTarget VcekChain(std::string product);
  static FetchTarget VlekChain(std::string product);
  static FetchTarget KdsCrl(std::string product);
  static FetchTarget NvidiaRim(std::string rim_id);
  static FetchTarget NvidiaOcsp(ByteView cert_der, ByteView issuer_der);
};

// True for the kinds served by Intel PCS.
bool IsPcsKind(Kind k);
// True for the kinds served by AMD KDS.
bool IsKdsKind(Kind k);

}  // namespace tenzro::tee::fetch

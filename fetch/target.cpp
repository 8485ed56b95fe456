#include "fetch/target.h"

#include "crypto/hash.h"

namespace tenzro::tee::fetch {

std::string_view KindName(Kind k) {
  switch (k) {
    case Kind::kTcbInfo:
      return "tcb_info";
    case Kind::kQeIdentity:
      return "qe_identity";
    case Kind::kPckCrl:
      return "pck_crl";
    case Kind::kRootCaCrl:
      return "root_ca_crl";
    case Kind::kVcek:
      return "vcek";
    case Kind::kVcekChain:
      return "vcek_cert_chain";
    case Kind::kVlekChain:
      return "vlek_cert_chain";
    case Kind::kKdsCrl:
      return "kds_crl";
    case Kind::kNvidiaRim:
      return "nvidia_rim";
    case Kind::kNvidiaOcsp:
      return "nvidia_ocsp";
  }
  return "unknown";
}

bool IsPcsKind(Kind k) {
  return k == Kind::kTcbInfo || k == Kind::kQeIdentity || k == Kind::kPckCrl ||
         k == Kind::kRootCaCrl;
}

bool IsKdsKind(Kind k) {
  return k == Kind::kVcek || k == Kind::kVcekChain || k == Kind::kVlekChain || k == Kind::kKdsCrl;
}

std::string FetchTarget::Key() const {
  std::string k = std::string(TeeTypeName(tee_type)) + "/" + std::string(KindName(kind));
  if (!name.empty()) k += "/" + name;
  if (kind == Kind::kNvidiaOcsp) {
    k += "/" + ToHex(AsView(crypto::Sha256(AsView(id))));
  } else if (!id.empty()) {
    k += "/" + ToHex(AsView(id));
  }
  if (kind == Kind::kVcek) {
    k += "/" + std::to_string(tcb.bl) + "." + std::to_string(tcb.tee) + "." +
         std::to_string(tcb.snp) + "." + std::to_string(tcb.ucode);
    if (tcb.fmc) k += "." + std::to_string(*tcb.fmc);
  }
  return k;
}

FetchTarget FetchTarget::TcbInfo(TeeType type, ByteView fmspc) {
  FetchTarget t;
  t.tee_type = type;
  t.kind = Kind::kTcbInfo;
  t.id.assign(fmspc.begin(), fmspc.end());
  return t;
}

FetchTarget FetchTarget::QeIdentity(TeeType type) {
  FetchTarget t;
  t.tee_type = type;
  t.kind = Kind::kQeIdentity;
  return t;
}

FetchTarget FetchTarget::PckCrl(TeeType type, std::string ca) {
  FetchTarget t;
  t.tee_type = type;
  t.kind = Kind::kPckCrl;
  t.name = std::move(ca);
  return t;
}

FetchTarget FetchTarget::RootCaCrl(TeeType type) {
  FetchTarget t;
  t.tee_type = type;
  t.kind = Kind::kRootCaCrl;
  return t;
}

namespace {
FetchTarget Kds(Kind kind, std::string product) {
  FetchTarget t;
  t.tee_type = TeeType::AmdSevSnp;
  t.kind = kind;
  t.name = std::move(product);
  return t;
}
}  // namespace

FetchTarget FetchTarget::Vcek(std::string product, ByteView chip_id, SnpTcb tcb) {
  FetchTarget t = Kds(Kind::kVcek, std::move(product));
  t.id.assign(chip_id.begin(), chip_id.end());
  t.tcb = tcb;
  return t;
}

FetchTarget FetchTarget::VcekChain(std::string product) {
  return Kds(Kind::kVcekChain, std::move(product));
}
FetchTarget FetchTarget::VlekChain(std::string product) {
  return Kds(Kind::kVlekChain, std::move(product));
}
FetchTarget FetchTarget::KdsCrl(std::string product) {
  return Kds(Kind::kKdsCrl, std::move(product));
}

FetchTarget FetchTarget::NvidiaRim(std::string rim_id) {
  FetchTarget t;
  t.tee_type = TeeType::NvidiaGpu;
  t.kind = Kind::kNvidiaRim;
  t.name = std::move(rim_id);
  return t;
}

FetchTarget FetchTarget::NvidiaOcsp(ByteView cert_der, ByteView issuer_der) {
  FetchTarget t;
  t.tee_type = TeeType::NvidiaGpu;
  t.kind = Kind::kNvidiaOcsp;
  t.id.assign(cert_der.begin(), cert_der.end());
  t.id.insert(t.id.end(), issuer_der.begin(), issuer_der.end());
  return t;
}

}  // namespace tenzro::tee::fetch

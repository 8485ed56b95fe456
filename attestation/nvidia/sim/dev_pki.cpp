#include "attestation/nvidia/sim/dev_pki.h"

#include <cstdlib>

#include "attestation/nvidia/dice.h"
#include "crypto/der_writer.h"

namespace tenzro::tee::nvidia::sim {

extern const char kDevRootKeyPem[];
extern const char kDevRootCertPem[];

namespace {

namespace derw = crypto::derw;
constexpr char kOidSha384[] = "2.16.840.1.101.3.4.2.2";

DevCert LoadRoot() {
  auto key = x509::PrivateKey::FromPem(kDevRootKeyPem);
  const std::string pem = kDevRootCertPem;
  auto cert = x509::Certificate::ParseAll(
      ByteView(reinterpret_cast<const uint8_t*>(pem.data()), pem.size()));
  if (!key.ok() || !cert.ok() || cert->size() != 1) std::abort();
  return DevCert{std::move(cert->front()), std::move(*key)};
}

Result<DevCert> Issue(const std::string& cn, bool ca, const DevCert& issuer, const ChainSpec& s,
                      std::vector<x509::ExtensionSpec> ext, uint8_t serial) {
  TEE_ASSIGN_OR_RETURN(x509::PrivateKey key, x509::PrivateKey::Generate(x509::KeyKind::kP384));
  x509::CertSpec spec;
  spec.subject = {{"CN", cn}, {"O", kDevOrg}};
  spec.serial_be = {0x4e, serial};
  spec.not_before = s.not_before;
  spec.not_after = s.not_after;
  spec.is_ca = ca;
  spec.extensions = std::move(ext);
  spec.scheme = x509::SigScheme::kEcdsaSha384;
  TEE_ASSIGN_OR_RETURN(x509::Certificate cert,
                       x509::IssueCertificate(spec, key.public_key(), &issuer.cert, issuer.key));
  return DevCert{std::move(cert), std::move(key)};
}

}  // namespace

const DevCert& DevRoot() {
  static const DevCert root = LoadRoot();
  return root;
}

Hash32 DevRootFingerprint() { return DevRoot().cert.fingerprint(); }

Bytes DiceExtension(Arch arch, const std::array<uint8_t, 48>& fwid) {
  const Bytes one = derw::Sequence({derw::Oid(kOidSha384), derw::OctetString(AsView(fwid))});
  if (arch == Arch::kBlackwell) {
    // DiceTcbInfo { vendor [0] "Tenzro DEV", fwids [6] { FWID } }
    const std::string vendor = "Tenzro DEV";
    return derw::Sequence(
        {derw::Tlv(0x80, ByteView(reinterpret_cast<const uint8_t*>(vendor.data()), vendor.size())),
         derw::Tlv(0xA6, AsView(one))});
  }
  return derw::Sequence({derw::Integer(1), one});  // ends in the 48 FWID bytes
}

std::string DevChain::Pem() const {
  std::vector<x509::Certificate> list;
  for (const auto& c : certs) list.push_back(c.cert);
  return x509::ToPem(list);
}

Result<DevChain> IssueDevChain(const ChainSpec& s) {
  const std::string gpu = s.arch == Arch::kBlackwell ? "GB100" : "GH100";
  DevChain chain;
  chain.certs.resize(5, DevRoot());
  chain.certs[4] = DevRoot();
  TEE_ASSIGN_OR_RETURN(chain.certs[3], Issue("Tenzro DEV NVIDIA " + gpu + " Identity", true,
                                             chain.certs[4], s, {}, 3));
  TEE_ASSIGN_OR_RETURN(chain.certs[2], Issue("Tenzro DEV NVIDIA " + gpu + " Provisioner ICA 1",
                                             true, chain.certs[3], s, {}, 2));
  TEE_ASSIGN_OR_RETURN(chain.certs[1],
                       Issue(gpu + " A01 GSP BROM", true, chain.certs[2], s, {}, 1));
  std::vector<x509::ExtensionSpec> ext;
  if (s.leaf_fwid_extension) {
    ext.push_back({s.arch == Arch::kBlackwell ? kOidDiceTcbInfo : kOidNvidiaDiceFwid,
                   DiceExtension(s.arch, s.fwid), false});
  }
  TEE_ASSIGN_OR_RETURN(chain.certs[0],
                       Issue(gpu + " A01 GSP FMC LF", false, chain.certs[1], s, std::move(ext), 0));
  return chain;
}

}  // namespace tenzro::tee::nvidia::sim

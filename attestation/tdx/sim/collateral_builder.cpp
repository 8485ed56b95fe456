#include "attestation/tdx/sim/collateral_builder.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <nlohmann/json.hpp>

namespace tenzro::tee::tdx::sim {
namespace {

using ojson = nlohmann::ordered_json;

std::string Upper(ByteView b) {
  std::string s = ToHex(b);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
template <size_t N>
std::string Upper(const std::array<uint8_t, N>& a) {
  return Upper(AsView(a));
}

// The u32's bytes in report order (little-endian), as Intel's verifier reads them.
std::string U32Hex(uint32_t v) {
  std::array<uint8_t, 4> le{static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                            static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
  return Upper(le);
}

ojson Components(const std::array<uint8_t, 16>& svns) {
  ojson a = ojson::array();
  for (uint8_t s : svns) a.push_back(ojson{{"svn", s}});
  return a;
}

void PutStatus(ojson& level, uint64_t tcb_date, const std::string& status,
               const std::vector<std::string>& advisories) {
  level["tcbDate"] = IsoTime(tcb_date);
  level["tcbStatus"] = status;
  if (!advisories.empty()) level["advisoryIDs"] = advisories;
}

std::string Dump(const ojson& j, bool pretty) { return pretty ? j.dump(2) : j.dump(); }

// {"<name>":<value>,"signature":"<hex>"} then the PEM chain.
Result<Bytes> SignedDocument(const char* name, const std::string& value, const DocSigning& s) {
  const DevPki& dev = Dev();
  const KeyedCert& signer = s.signer ? *s.signer : dev.tcb_signing;
  Bytes msg(value.begin(), value.end());
  TEE_ASSIGN_OR_RETURN(Bytes sig, signer.key.EcdsaSignRaw(x509::Digest::kSha256, AsView(msg)));
  if (s.bad_signature) sig[sig.size() / 2] ^= 0x01;
  std::string doc =
      std::string("{\"") + name + "\":" + value + ",\"signature\":\"" + ToHex(AsView(sig)) + "\"}";
  std::vector<x509::Certificate> chain =
      s.chain ? *s.chain : std::vector<x509::Certificate>{signer.cert, dev.root.cert};
  if (!chain.empty()) doc += "\n" + x509::ToPem(chain);
  return Bytes(doc.begin(), doc.end());
}

Result<Bytes> MakeCrl(const CrlBuildSpec& spec, const KeyedCert& default_issuer) {
  const DevPki& dev = Dev();
  const KeyedCert& issuer = spec.issuer ? *spec.issuer : default_issuer;
  x509::CrlSpec cs;
  cs.this_update = static_cast<int64_t>(spec.this_update);
  cs.next_update = static_cast<int64_t>(spec.next_update);
  cs.revoked_serials_be = spec.revoked_serials;
  TEE_ASSIGN_OR_RETURN(x509::Crl crl, x509::IssueCrl(cs, issuer.cert, issuer.key));
  if (spec.bad_signature) {
    Bytes der = crl.der();
    der.back() ^= 0x01;  // the last byte of the signature's s
    TEE_ASSIGN_OR_RETURN(crl, x509::Crl::Parse(AsView(der)));
  }
  if (spec.encoding == CrlEncoding::kDer) return crl.der();
  std::string pem = x509::CrlToPem(crl);
  if (spec.encoding == CrlEncoding::kPemWithChain) {
    std::vector<x509::Certificate> chain;
    if (spec.chain) {
      chain = *spec.chain;
    } else {
      chain.push_back(issuer.cert);
      if (issuer.cert.fingerprint() != dev.root.cert.fingerprint()) chain.push_back(dev.root.cert);
    }
    if (!chain.empty()) pem += x509::ToPem(chain);
  }
  return Bytes(pem.begin(), pem.end());
}

}  // namespace

std::string IsoTime(uint64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string TcbInfoValueText(const TcbInfoSpec& spec) {
  ojson j;
  j["id"] = spec.id.empty() ? (spec.tdx ? "TDX" : "SGX") : spec.id;
  j["version"] = spec.version;
  j["issueDate"] = IsoTime(spec.issue_date);
  j["nextUpdate"] = IsoTime(spec.next_update);
  j["fmspc"] = Upper(spec.fmspc);
  j["pceId"] = Upper(spec.pce_id);
  j["tcbType"] = spec.tcb_type;
  j["tcbEvaluationDataNumber"] = spec.tcb_evaluation_data_number;
  if (spec.tdx) {
    j["tdxModule"] = ojson{{"mrsigner", Upper(spec.module_mrsigner)},
                           {"attributes", Upper(spec.module_attributes)},
                           {"attributesMask", Upper(spec.module_attributes_mask)}};
    if (!spec.module_identities.empty()) {
      ojson ids = ojson::array();
      for (const auto& m : spec.module_identities) {
        ojson id{{"id", m.id},
                 {"mrsigner", Upper(m.mrsigner)},
                 {"attributes", Upper(m.attributes)},
                 {"attributesMask", Upper(m.attributes_mask)}};
        ojson levels = ojson::array();
        for (const auto& l : m.levels) {
          ojson level{{"tcb", ojson{{"isvsvn", l.isvsvn}}}};
          PutStatus(level, l.tcb_date, l.status, l.advisory_ids);
          levels.push_back(std::move(level));
        }
        id["tcbLevels"] = std::move(levels);
        ids.push_back(std::move(id));
      }
      j["tdxModuleIdentities"] = std::move(ids);
    }
  }
  ojson levels = ojson::array();
  for (const auto& l : spec.levels) {
    ojson tcb;
    tcb["sgxtcbcomponents"] = Components(l.sgx_components);
    tcb["pcesvn"] = l.pcesvn;
    if (spec.tdx) tcb["tdxtcbcomponents"] = Components(l.tdx_components);
    ojson level{{"tcb", std::move(tcb)}};
    PutStatus(level, l.tcb_date, l.status, l.advisory_ids);
    levels.push_back(std::move(level));
  }
  j["tcbLevels"] = std::move(levels);
  return Dump(j, spec.signing.pretty);
}

std::string QeIdentityValueText(const QeIdentitySpec& spec) {
  ojson j;
  j["id"] = spec.id;
  j["version"] = spec.version;
  j["issueDate"] = IsoTime(spec.issue_date);
  j["nextUpdate"] = IsoTime(spec.next_update);
  j["tcbEvaluationDataNumber"] = spec.tcb_evaluation_data_number;
  j["miscselect"] = U32Hex(spec.miscselect);
  j["miscselectMask"] = U32Hex(spec.miscselect_mask);
  j["attributes"] = Upper(spec.attributes);
  j["attributesMask"] = Upper(spec.attributes_mask);
  j["mrsigner"] = Upper(spec.mrsigner);
  j["isvprodid"] = spec.isvprodid;
  ojson levels = ojson::array();
  for (const auto& l : spec.levels) {
    ojson level{{"tcb", ojson{{"isvsvn", l.isvsvn}}}};
    PutStatus(level, l.tcb_date, l.status, l.advisory_ids);
    levels.push_back(std::move(level));
  }
  j["tcbLevels"] = std::move(levels);
  return Dump(j, spec.signing.pretty);
}

Result<Bytes> MakeTcbInfo(const TcbInfoSpec& spec) {
  return SignedDocument("tcbInfo", TcbInfoValueText(spec), spec.signing);
}

Result<Bytes> MakeQeIdentity(const QeIdentitySpec& spec) {
  return SignedDocument("enclaveIdentity", QeIdentityValueText(spec), spec.signing);
}

Result<Bytes> MakePckCrl(const CrlBuildSpec& spec) { return MakeCrl(spec, Dev().platform_ca); }
Result<Bytes> MakeRootCaCrl(const CrlBuildSpec& spec) { return MakeCrl(spec, Dev().root); }

Bytes CertsPem(const std::vector<x509::Certificate>& certs) {
  std::string pem = x509::ToPem(certs);
  return Bytes(pem.begin(), pem.end());
}

Result<x509::Certificate> WithBadSignature(const x509::Certificate& cert) {
  Bytes der = cert.der();
  der.back() ^= 0x01;  // the last byte of the signature's s
  return x509::Certificate::FromDer(AsView(der));
}

TcbInfoSpec TcbRecovery(const TcbInfoSpec& current, uint64_t issue_date, uint64_t next_update) {
  TcbInfoSpec out = current;
  out.issue_date = issue_date;
  out.next_update = next_update;
  out.tcb_evaluation_data_number = current.tcb_evaluation_data_number + 1;
  TcbLevel top;
  for (const auto& l : current.levels) {
    for (size_t i = 0; i < 16; ++i) {
      top.sgx_components[i] = std::max(top.sgx_components[i], l.sgx_components[i]);
      top.tdx_components[i] = std::max(top.tdx_components[i], l.tdx_components[i]);
    }
    top.pcesvn = std::max(top.pcesvn, l.pcesvn);
  }
  // The recovery raises one SGX component (microcode) above every level.
  for (auto& c : top.sgx_components) {
    if (c < 0xff) {
      ++c;
      break;
    }
  }
  top.tcb_date = issue_date;
  top.status = "UpToDate";
  for (auto& l : out.levels) {
    if (l.status == "UpToDate" || l.status == "SWHardeningNeeded") {
      l.status = "OutOfDate";
    } else if (l.status == "ConfigurationNeeded" ||
               l.status == "ConfigurationAndSWHardeningNeeded") {
      l.status = "OutOfDateConfigurationNeeded";
    }
    if (std::find(l.advisory_ids.begin(), l.advisory_ids.end(), kRecoveryAdvisory) ==
        l.advisory_ids.end()) {
      l.advisory_ids.push_back(kRecoveryAdvisory);
    }
  }
  out.levels.insert(out.levels.begin(), top);
  return out;
}

}  // namespace tenzro::tee::tdx::sim

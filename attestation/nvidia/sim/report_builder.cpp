#include "attestation/nvidia/sim/report_builder.h"

#include "crypto/base64.h"

namespace tenzro::tee::nvidia::sim {
namespace {

Bytes Ascii(const std::string& s, size_t width) {
  Bytes out(s.begin(), s.end());
  out.resize(std::max(width, s.size() + 1), 0);
  return out;
}

void PutTlv(Bytes& out, const OpaqueField& f) {
  PutU16Le(out, f.type);
  PutU16Le(out, static_cast<uint16_t>(f.value.size()));
  PutBytes(out, AsView(f.value));
}

}  // namespace

std::vector<OpaqueField> GpuOpaque(const std::string& driver, const std::array<uint8_t, 8>& vbios,
                                   const std::array<uint8_t, 48>& fwid) {
  auto t = [](OpaqueType type) { return static_cast<uint16_t>(type); };
  return {
      {t(OpaqueType::kVbiosVersion), Bytes(vbios.begin(), vbios.end())},
      {t(OpaqueType::kChipSku), Ascii("882", 9)},
      {t(OpaqueType::kProject), Ascii("1010", 5)},
      {t(OpaqueType::kProjectSku), Ascii("0200", 5)},
      {t(OpaqueType::kDriverVersion), Ascii(driver, 0)},
      {t(OpaqueType::kNvdec0Status), {kNvdecEnabled}},
      {t(OpaqueType::kFwid), Bytes(fwid.begin(), fwid.end())},
      {t(OpaqueType::kOpaqueDataVersion), {0x01, 0x00}},
      {t(OpaqueType::kFeatureFlag), {0x00, 0x00}},
  };
}

std::map<uint8_t, Bytes> HopperMeasurements() {
  std::map<uint8_t, Bytes> m;
  for (uint8_t i = 1; i <= 64; ++i) m.emplace(i, Bytes(48, i));
  return m;
}

std::string Base64(ByteView data) { return crypto::Base64Encode(data); }

Bytes UnsignedReport(const ReportSpec& s) {
  Bytes r;
  r.reserve(4096);
  for (uint8_t b : {s.spdm_version, uint8_t{0xE0}, s.request_param1, uint8_t{0xFF}}) PutU8(r, b);
  PutBytes(r, AsView(s.nonce));
  r.push_back(0);  // slot
  Bytes record;
  for (const auto& [index, value] : s.measurements) {
    PutU8(record, index);
    PutU8(record, 0x01);  // MeasurementSpecification: DMTF
    PutU16Le(record, static_cast<uint16_t>(value.size() + 3));
    record.push_back(0x01);  // DMTF value type: immutable ROM / digest
    PutU16Le(record, static_cast<uint16_t>(value.size()));
    PutBytes(record, AsView(value));
  }
  for (uint8_t b : {s.spdm_version, uint8_t{0x60}, uint8_t{0}, uint8_t{0},
                    static_cast<uint8_t>(s.measurements.size())}) {
    PutU8(r, b);
  }
  for (int shift : {0, 8, 16}) PutU8(r, static_cast<uint8_t>(record.size() >> shift));
  PutBytes(r, AsView(record));
  r.insert(r.end(), s.responder_nonce.begin(), s.responder_nonce.end());
  Bytes opaque;
  for (const auto& f : s.opaque) PutTlv(opaque, f);
  if (s.raw_opaque) opaque = *s.raw_opaque;
  PutU16Le(r, static_cast<uint16_t>(opaque.size()));
  PutBytes(r, AsView(opaque));
  return r;
}

Result<Bytes> SignedReport(const ReportSpec& spec, const x509::PrivateKey& leaf_key) {
  Bytes r = UnsignedReport(spec);
  TEE_ASSIGN_OR_RETURN(Bytes sig, leaf_key.EcdsaSignRaw(x509::Digest::kSha384, AsView(r)));
  if (sig.size() != kSignatureSize) return Error(ErrorCode::kInternal, "not a P-384 signature");
  PutBytes(r, AsView(sig));
  return r;
}

}  // namespace tenzro::tee::nvidia::sim

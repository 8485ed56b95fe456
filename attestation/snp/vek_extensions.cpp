#include "attestation/snp/vek_extensions.h"

#include <algorithm>

#include "crypto/der.h"
#include "crypto/x509.h"

namespace tenzro::tee::snp {
namespace {

Status Bad(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "snp VEK extension: " + std::move(what));
}

// The value inside one OCTET STRING wrapper, when ext_value is exactly that.
std::optional<ByteView> Unwrap(ByteView ext_value) {
  auto tlv = der::ParseSingle(ext_value);
  if (!tlv || tlv->tag != der::kOctetString) return std::nullopt;
  return tlv->value;
}

bool IsHwIdSize(size_t n) { return n == format::kChipIdSize || n == format::kTurinChipIdSize; }

bool IsStringTag(uint8_t tag) {
  return tag == der::kIa5String || tag == 0x0c /* UTF8String */ ||
         tag == 0x13 /* PrintableString */;
}

Result<std::string> StringFromTlv(const der::Tlv& tlv) {
  if (!IsStringTag(tlv.tag)) return Bad("expected a string");
  if (!std::all_of(tlv.value.begin(), tlv.value.end(),
                   [](uint8_t c) { return c >= 0x20 && c < 0x7f; })) {
    return Bad("string has non-printable bytes");
  }
  return std::string(tlv.value.begin(), tlv.value.end());
}

}  // namespace

Product VekExtensions::product() const {
  if (!product_name) return Product::kUnknown;
  const std::string_view name(*product_name);
  const std::string_view base = name.substr(0, name.find('-'));
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if (base == format::ProductName(p)) return p;
  }
  return Product::kUnknown;
}

Result<uint8_t> ParseSplValue(ByteView ext_value) {
  ByteView v = ext_value;
  if (auto inner = Unwrap(v)) v = *inner;
  auto tlv = der::ParseSingle(v);
  if (!tlv || tlv->tag != der::kInteger) return Bad("SPL is not a DER INTEGER");
  auto n = der::IntegerToU64(tlv->value);
  if (!n || *n > 0xff) return Bad("SPL is negative, malformed or above 255");
  return static_cast<uint8_t>(*n);
}

Result<Bytes> ParseHwIdValue(ByteView ext_value) {
  // Wrapped: OCTET STRING of 64 (Turin 8) bytes. Raw: the bytes themselves.
  // The lengths differ (66/10 vs 64/8), so the two readings never collide.
  if (auto inner = Unwrap(ext_value); inner && IsHwIdSize(inner->size())) {
    return Bytes(inner->begin(), inner->end());
  }
  if (IsHwIdSize(ext_value.size())) return Bytes(ext_value.begin(), ext_value.end());
  return Bad("hwID is neither 64 (Turin 8) raw bytes nor an OCTET STRING of them (" +
             std::to_string(ext_value.size()) + " bytes)");
}

Result<std::string> ParseStringValue(ByteView ext_value) {
  ByteView v = ext_value;
  if (auto inner = Unwrap(v)) v = *inner;
  auto tlv = der::ParseSingle(v);
  if (!tlv) return Bad("string value is not one DER value");
  return StringFromTlv(*tlv);
}

Result<VekExtensions> ParseVekExtensions(const x509::Certificate& cert) {
  VekExtensions e;
  auto spl = [&](std::string_view oid, std::optional<uint8_t>& out) -> Status {
    if (auto v = cert.Extension(oid)) {
      auto r = ParseSplValue(AsView(*v));
      if (!r.ok()) return Bad(std::string(oid) + ": " + r.status().message());
      out = *r;
    }
    return Status::Ok();
  };
  TEE_TRY(spl(format::kOidBlSpl, e.bl_spl));
  TEE_TRY(spl(format::kOidTeeSpl, e.tee_spl));
  TEE_TRY(spl(format::kOidSnpSpl, e.snp_spl));
  TEE_TRY(spl(format::kOidUcodeSpl, e.ucode_spl));
  TEE_TRY(spl(format::kOidFmcSpl, e.fmc_spl));
  if (auto v = cert.Extension(format::kOidProductName)) {
    TEE_ASSIGN_OR_RETURN(e.product_name, ParseStringValue(AsView(*v)));
  }
  if (auto v = cert.Extension(format::kOidHwId)) {
    TEE_ASSIGN_OR_RETURN(e.hw_id, ParseHwIdValue(AsView(*v)));
  }
  if (auto v = cert.Extension(format::kOidCspId)) {
    TEE_ASSIGN_OR_RETURN(e.csp_id, ParseStringValue(AsView(*v)));
  }
  return e;
}

std::optional<std::string> CompareTcb(const VekExtensions& ext, const RawTcb& reported,
                                      Product product) {
  const TcbParts t = DecodeTcb(reported, product);
  struct Item {
    const char* name;
    const std::optional<uint8_t>* cert;
    uint8_t report;
  };
  std::vector<Item> items = {{"blSPL", &ext.bl_spl, t.boot_loader},
                             {"teeSPL", &ext.tee_spl, t.tee},
                             {"snpSPL", &ext.snp_spl, t.snp},
                             {"ucodeSPL", &ext.ucode_spl, t.microcode}};
  if (product == Product::kTurin) items.insert(items.begin(), Item{"fmcSPL", &ext.fmc_spl, t.fmc});
  for (const Item& i : items) {
    if (!i.cert->has_value()) return std::string("VEK lacks the ") + i.name + " extension";
    if (**i.cert != i.report) {
      return std::string("VEK ") + i.name + " " + std::to_string(**i.cert) + " != REPORTED_TCB " +
             std::to_string(i.report);
    }
  }
  return std::nullopt;
}

}  // namespace tenzro::tee::snp

// The quote parser (attestation/tdx/quote.cpp): layouts of quote_format.h,
// every truncation, every length field out of bounds, reserved bytes, and
// the real quotes of the vectors.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>

#include "attestation/tdx/quote.h"
#include "support/vectors.h"
#include "tdx_test_util.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx;

namespace {

struct QuoteSpec {
  uint16_t version = 4;
  uint16_t att_key_type = fmt::kAttKeyEcdsaP256;
  uint32_t tee_type = fmt::kTeeTypeTdx;
  uint16_t body_type = fmt::kBodyTypeTd10;  // v5 descriptor
  std::optional<uint32_t> body_size;        // v5 descriptor override
  uint16_t outer_cert_type = fmt::kCertTypeQeReportCert;
  uint16_t inner_cert_type = fmt::kCertTypePckChain;
  Bytes auth = Bytes(32, 0xaa);
  std::string pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  size_t trailing = 0;
};

size_t BodySize(uint16_t version, uint16_t body_type) {
  if (version == 3) return fmt::kSgxReportSize;
  if (version == 4) return fmt::kTd10BodySize;
  return body_type == fmt::kBodyTypeTd15  ? fmt::kTd15BodySize
         : body_type == fmt::kBodyTypeSgx ? fmt::kSgxReportSize
                                          : fmt::kTd10BodySize;
}

void PutU16At(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}

// A structurally valid quote (signatures are not real: the parser does no crypto).
Bytes Build(const QuoteSpec& s) {
  Bytes q;
  PutU16Le(q, s.version);
  PutU16Le(q, s.att_key_type);
  PutU32Le(q, s.tee_type);
  PutU16Le(q, 7);  // qe_svn
  PutU16Le(q, 9);  // pce_svn
  PutBytes(q, AsView(fmt::kIntelQeVendorId));
  q.resize(fmt::kHeaderSize, 0x11);  // user data
  const size_t body_size = BodySize(s.version, s.body_type);
  if (s.version == 5) {
    PutU16Le(q, s.body_type);
    PutU32Le(q, s.body_size.value_or(static_cast<uint32_t>(body_size)));
  }
  const size_t body_at = q.size();
  q.resize(q.size() + body_size, 0);
  if (body_size != fmt::kSgxReportSize) {
    q[body_at + fmt::kTdTeeTcbSvn] = 3;
    q[body_at + fmt::kTdMrTd] = 0x42;
    q[body_at + fmt::kTdTdAttributes + 3] = 0x10;  // SEPT_VE_DISABLE
    q[body_at + fmt::kTdReportData] = 0x77;
  } else {
    q[body_at + fmt::kRepMrEnclave] = 0x42;
    q[body_at + fmt::kRepReportData] = 0x77;
  }

  Bytes qe_cert;
  Bytes qe_report(fmt::kSgxReportSize, 0);
  PutU16At(qe_report, fmt::kRepIsvSvn, 6);
  PutBytes(qe_cert, AsView(qe_report));
  qe_cert.resize(qe_cert.size() + fmt::kEcdsaSignatureSize, 0x5a);
  PutU16Le(qe_cert, static_cast<uint16_t>(s.auth.size()));
  PutBytes(qe_cert, AsView(s.auth));
  PutU16Le(qe_cert, s.inner_cert_type);
  PutU32Le(qe_cert, static_cast<uint32_t>(s.pem.size()));
  qe_cert.insert(qe_cert.end(), s.pem.begin(), s.pem.end());

  Bytes sig;
  sig.resize(fmt::kEcdsaSignatureSize, 0x51);
  sig.resize(sig.size() + fmt::kAttestationKeySize, 0x4b);
  if (s.version == 3) {
    PutBytes(sig, AsView(qe_cert));
  } else {
    PutU16Le(sig, s.outer_cert_type);
    PutU32Le(sig, static_cast<uint32_t>(qe_cert.size()));
    PutBytes(sig, AsView(qe_cert));
  }
  PutU32Le(q, static_cast<uint32_t>(sig.size()));
  PutBytes(q, AsView(sig));
  q.resize(q.size() + s.trailing, 0);
  return q;
}

// Offset of the sig data length field.
size_t SigLenAt(const QuoteSpec& s) {
  return fmt::kHeaderSize + (s.version == 5 ? fmt::kBodyDescriptorSize : 0) +
         BodySize(s.version, s.body_type);
}

ErrorCode CodeOf(const Bytes& q) {
  auto r = ParseQuote(AsView(q));
  return r.ok() ? ErrorCode::kOk : r.status().code();
}

QuoteSpec V3() {
  QuoteSpec s;
  s.version = 3;
  s.tee_type = fmt::kTeeTypeSgx;
  s.body_type = fmt::kBodyTypeSgx;
  return s;
}
QuoteSpec V5(uint16_t body) {
  QuoteSpec s;
  s.version = 5;
  s.body_type = body;
  if (body == fmt::kBodyTypeSgx) s.tee_type = fmt::kTeeTypeSgx;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_quote)

BOOST_AUTO_TEST_CASE(layouts_parse) {
  for (const QuoteSpec& s :
       {QuoteSpec{}, V3(), V5(fmt::kBodyTypeTd10), V5(fmt::kBodyTypeTd15), V5(fmt::kBodyTypeSgx)}) {
    const Bytes raw = Build(s);
    auto q = ParseQuote(AsView(raw));
    BOOST_REQUIRE_MESSAGE(q.ok(), (q.ok() ? std::string() : q.status().message()));
    BOOST_TEST(q->version == s.version);
    BOOST_TEST(q->qe_report.isv_svn == 6);
    BOOST_TEST(q->qe_auth_data.size() == 32u);
    BOOST_TEST(q->trailing_bytes == 0u);
    BOOST_TEST(q->signed_data.size() == SigLenAt(s));
    // The certification cache key starts at the attestation key and runs to the end.
    BOOST_TEST(q->certified.size() == raw.size() - SigLenAt(s) - 4 - fmt::kEcdsaSignatureSize);
    BOOST_TEST(std::string(q->pck_chain_pem.begin(), q->pck_chain_pem.end()) == s.pem);
    if (q->is_tdx()) {
      BOOST_TEST(q->td.mr_td[0] == 0x42);
      BOOST_TEST(q->td.tee_tcb_svn[0] == 3);
      BOOST_TEST(q->td.report_data[0] == 0x77);
      BOOST_TEST(q->td.sept_ve_disable());
      BOOST_TEST(!q->td.debug());
      BOOST_TEST(q->td.tee_tcb_svn2.has_value() ==
                 (s.body_type == fmt::kBodyTypeTd15 && s.version == 5));
    } else {
      BOOST_TEST(q->sgx.mr_enclave[0] == 0x42);
      BOOST_TEST(q->report_data()[0] == 0x77);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_truncation_is_malformed) {
  for (const QuoteSpec& s : {QuoteSpec{}, V3(), V5(fmt::kBodyTypeTd15)}) {
    const Bytes raw = Build(s);
    for (size_t n = 0; n < raw.size(); ++n) {
      Bytes cut(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(n));
      const ErrorCode c = CodeOf(cut);
      BOOST_TEST((c == ErrorCode::kInvalidArgument), "version " << s.version << " cut at " << n);
      if (c != ErrorCode::kInvalidArgument) break;
    }
  }
}

BOOST_AUTO_TEST_CASE(trailing_bytes_after_signature_data_are_allowed) {
  QuoteSpec s;
  s.trailing = 70;
  auto q = ParseQuote(AsView(Build(s)));
  BOOST_REQUIRE(q.ok());
  BOOST_TEST(q->trailing_bytes == 70u);
}

BOOST_AUTO_TEST_CASE(header_and_descriptor_rules) {
  struct Row {
    const char* name;
    std::function<void(QuoteSpec&)> edit;
    ErrorCode code;
  };
  const std::vector<Row> rows = {
      {"version 2", [](QuoteSpec& s) { s.version = 2; }, ErrorCode::kUnsupported},
      {"version 6", [](QuoteSpec& s) { s.version = 6; }, ErrorCode::kUnsupported},
      // Not a quote header at all (issue 13: junk is malformed).
      {"version 1984", [](QuoteSpec& s) { s.version = 1984; }, ErrorCode::kInvalidArgument},
      {"version 0", [](QuoteSpec& s) { s.version = 0; }, ErrorCode::kInvalidArgument},
      {"key type 0x7a7a", [](QuoteSpec& s) { s.att_key_type = 0x7a7a; },
       ErrorCode::kInvalidArgument},
      {"tee type 0x10081", [](QuoteSpec& s) { s.tee_type = 0x10081; }, ErrorCode::kInvalidArgument},
      {"P-384 key", [](QuoteSpec& s) { s.att_key_type = fmt::kAttKeyEcdsaP384; },
       ErrorCode::kUnsupported},
      {"tee type 0x22", [](QuoteSpec& s) { s.tee_type = 0x22; }, ErrorCode::kUnsupported},
      {"v4 with SGX tee type", [](QuoteSpec& s) { s.tee_type = fmt::kTeeTypeSgx; },
       ErrorCode::kUnsupported},
      {"v3 with TDX tee type",
       [](QuoteSpec& s) {
         s = V3();
         s.tee_type = fmt::kTeeTypeTdx;
       },
       ErrorCode::kUnsupported},
      {"v5 body type 9", [](QuoteSpec& s) { s = V5(9); }, ErrorCode::kUnsupported},
      {"v5 body size mismatch",
       [](QuoteSpec& s) {
         s = V5(fmt::kBodyTypeTd15);
         s.body_size = fmt::kTd10BodySize;
       },
       ErrorCode::kInvalidArgument},
      {"v5 SGX body with TDX tee type",
       [](QuoteSpec& s) {
         s = V5(fmt::kBodyTypeSgx);
         s.tee_type = fmt::kTeeTypeTdx;
       },
       ErrorCode::kInvalidArgument},
      {"outer certification type 5", [](QuoteSpec& s) { s.outer_cert_type = 5; },
       ErrorCode::kUnsupported},
      {"inner certification type 3", [](QuoteSpec& s) { s.inner_cert_type = 3; },
       ErrorCode::kUnsupported},
      {"empty PCK chain", [](QuoteSpec& s) { s.pem = std::string(3, '\0'); },
       ErrorCode::kInvalidArgument},
  };
  for (const auto& r : rows) {
    QuoteSpec s;
    r.edit(s);
    BOOST_TEST((CodeOf(Build(s)) == r.code), r.name);
  }
}

BOOST_AUTO_TEST_CASE(length_fields_out_of_bounds_are_malformed) {
  for (const QuoteSpec& s : {QuoteSpec{}, V3()}) {
    const Bytes good = Build(s);
    const size_t sig_len_at = SigLenAt(s);
    const size_t sig_at = sig_len_at + 4;
    const size_t qe_cert_at = sig_at + 128 + (s.version == 3 ? 0 : 6);
    const size_t auth_len_at = qe_cert_at + fmt::kSgxReportSize + fmt::kEcdsaSignatureSize;
    const size_t inner_size_at = auth_len_at + 2 + s.auth.size() + 2;
    struct Edit {
      const char* name;
      size_t at;
      int delta;  // added to the little-endian field's low byte (carrying)
      // Shifting the QE auth data moves the inner certification type: then
      // the quote reads as an unsupported type rather than a bad length.
      bool any_error = false;
    };
    std::vector<Edit> edits = {
        {"sig data length +1", sig_len_at, 1},
        {"sig data length -1", sig_len_at, -1},
        {"QE auth data length +1", auth_len_at, 1, true},
        {"QE auth data length -1", auth_len_at, -1, true},
        {"PCK chain size +1", inner_size_at, 1},
        {"PCK chain size -1", inner_size_at, -1},
    };
    if (s.version != 3) {
      edits.push_back({"certification data size +1", sig_at + 128 + 2, 1});
      edits.push_back({"certification data size -1", sig_at + 128 + 2, -1});
    }
    for (const auto& e : edits) {
      Bytes b = good;
      uint32_t v = static_cast<uint32_t>(b[e.at]) | (static_cast<uint32_t>(b[e.at + 1]) << 8);
      v = static_cast<uint32_t>(static_cast<int64_t>(v) + e.delta);
      b[e.at] = static_cast<uint8_t>(v);
      b[e.at + 1] = static_cast<uint8_t>(v >> 8);
      const ErrorCode c = CodeOf(b);
      if (e.any_error) {
        BOOST_TEST((c != ErrorCode::kOk), "v" << s.version << " " << e.name);
      } else {
        BOOST_TEST((c == ErrorCode::kInvalidArgument), "v" << s.version << " " << e.name);
      }
    }
    // A huge signature data length never reads out of bounds.
    Bytes b = good;
    b[sig_len_at + 3] = 0xff;
    BOOST_TEST((CodeOf(b) == ErrorCode::kInvalidArgument));
  }
}

BOOST_AUTO_TEST_CASE(reserved_report_bytes_must_be_zero) {
  for (size_t off :
       {fmt::kRepReserved1, fmt::kRepReserved2 + 31, fmt::kRepReserved3, fmt::kRepReserved4 + 41}) {
    const QuoteSpec s = V3();
    Bytes b = Build(s);
    b[fmt::kHeaderSize + off] = 1;  // the SGX body
    BOOST_TEST((CodeOf(b) == ErrorCode::kInvalidArgument), "body offset " << off);
    Bytes c = Build(s);
    c[SigLenAt(s) + 4 + 128 + off] = 1;  // the QE report
    BOOST_TEST((CodeOf(c) == ErrorCode::kInvalidArgument), "QE report offset " << off);
  }
}

BOOST_AUTO_TEST_CASE(td_attributes_bits) {
  QuoteSpec s;
  Bytes b = Build(s);
  b[fmt::kHeaderSize + fmt::kTdTdAttributes] = 0x01;
  b[fmt::kHeaderSize + fmt::kTdTdAttributes + 3] = 0x00;
  auto q = ParseQuote(AsView(b));
  BOOST_REQUIRE(q.ok());
  BOOST_TEST(q->td.debug());
  BOOST_TEST(!q->td.sept_ve_disable());
  BOOST_TEST(q->td.attributes_u64() == 1u);
}

BOOST_AUTO_TEST_CASE(real_quotes_parse) {
  const auto cases = tenzro::tee::testing::LoadCases("tdx");
  if (cases.empty()) {
    BOOST_TEST_MESSAGE("SKIPPED: real TDX vectors are absent");
    return;
  }
  for (const auto& c : cases) {
    const Bytes raw = c.Evidence();
    auto q = ParseQuote(AsView(raw));
    BOOST_REQUIRE_MESSAGE(q.ok(),
                          c.name << ": " << (q.ok() ? std::string() : q.status().message()));
    BOOST_TEST(q->qe_vendor_id == fmt::kIntelQeVendorId);
    BOOST_TEST(q->qe_auth_data.size() == 32u);
    if (c.expect.contains("quote_version"))
      BOOST_TEST(q->version == c.expect["quote_version"].get<int>());
    if (c.expect.contains("report_data")) {
      BOOST_TEST(ToHex(AsView(q->report_data())) == c.expect["report_data"].get<std::string>());
    }
    // Cutting the last byte of the signature data is always caught.
    Bytes cut(raw.begin(), raw.end() - static_cast<std::ptrdiff_t>(q->trailing_bytes + 1));
    BOOST_TEST((CodeOf(cut) == ErrorCode::kInvalidArgument), c.name);
  }
}

BOOST_AUTO_TEST_SUITE_END()

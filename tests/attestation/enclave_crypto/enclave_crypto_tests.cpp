// enclave_crypto: wire format, AAD, negative cases, limits and every root-key
// source through its seam (fake /dev/sev-guest ioctl, CMS envelopes made
// here as KMS makes them).
#include <boost/test/unit_test.hpp>

#include <linux/sev-guest.h>
#include <openssl/cms.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/ioctl.h>

#include <cstring>
#include <memory>
#include <string>

#include "attestation/enclave_crypto/enclave_crypto.h"
#include "crypto/ossl.h"
#include "crypto/x509_signing.h"

using namespace tenzro::tee;
using namespace tenzro::tee::enclave_crypto;

namespace {

ByteView Str(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::shared_ptr<const RootKeySource> Sim(TeeType vendor = TeeType::AmdSevSnp) {
  return SimulationKeySource::Create(vendor, true).value();
}

// Answers SNP_GET_DERIVED_KEY like the kernel driver and the AMD secure
// processor would, after checking the request bytes.
class FakeSevGuest final : public DeviceIo {
 public:
  explicit FakeSevGuest(uint8_t key_byte) : key_byte_(key_byte) {}
  const std::string& root() const override { return root_; }
  bool Exists(std::string_view path) const override { return path == "/dev/sev-guest"; }
  Result<Bytes> ReadFile(std::string_view, size_t) const override {
    return Error(ErrorCode::kNotFound, "fake");
  }
  Status WriteFile(std::string_view, ByteView) const override {
    return Error(ErrorCode::kNotFound, "fake");
  }
  Status MakeDir(std::string_view) const override { return Error(ErrorCode::kNotFound, "fake"); }
  Status RemoveDir(std::string_view) const override { return Error(ErrorCode::kNotFound, "fake"); }
  Result<std::vector<std::string>> ListDir(std::string_view) const override {
    return Error(ErrorCode::kNotFound, "fake");
  }
  Result<int> Ioctl(std::string_view path, unsigned long request, void* arg) const override {
    ++calls;
    if (path != "/dev/sev-guest") return Error(ErrorCode::kNotFound, "no such device");
    if (request != SNP_GET_DERIVED_KEY) return Error(ErrorCode::kInternal, "EINVAL");
    auto* g = static_cast<snp_guest_request_ioctl*>(arg);
    msg_version = g->msg_version;
    std::memcpy(request_bytes.data(), reinterpret_cast<const void*>(g->req_data), 32);
    if (fail_fw != 0) {
      g->fw_error = fail_fw;
      return Error(ErrorCode::kInternal, "ioctl: EIO");
    }
    auto* resp = reinterpret_cast<snp_derived_key_resp*>(g->resp_data);
    std::memset(resp->data, 0, sizeof(resp->data));
    resp->data[0] = status;  // MSG_KEY_RSP.STATUS
    // DERIVED_KEY mixes what the request selects (here: a function of the
    // request bytes, as the firmware's KDF is).
    for (size_t i = 0; i < 32; ++i) {
      resp->data[32 + i] = static_cast<uint8_t>(key_byte_ ^ request_bytes[i % 32] ^ i);
    }
    return 0;
  }

  mutable int calls = 0;
  mutable uint8_t msg_version = 0;
  mutable std::array<uint8_t, 32> request_bytes{};
  uint32_t fail_fw = 0;
  uint8_t status = 0;

 private:
  std::string root_ = "/";
  uint8_t key_byte_;
};

// A CMS EnvelopedData of `content` for the recipient's public key, written
// as KMS writes CiphertextForRecipient: RSAES-OAEP-SHA256 key transport,
// AES-256-CBC content encryption. OpenSSL needs a certificate to address a
// recipient; a throwaway P-256 CA issues one for the RSA key.
Bytes MakeEnvelope(const Bytes& recipient_spki, ByteView content, bool oaep = true) {
  const unsigned char* p = recipient_spki.data();
  std::shared_ptr<EVP_PKEY> pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(recipient_spki.size())),
                                EVP_PKEY_free);
  BOOST_REQUIRE(pub != nullptr);
  auto ca_key = x509::PrivateKey::Generate(x509::KeyKind::kP256).value();
  x509::CertSpec ca_spec;
  ca_spec.subject = {{"CN", "test kms"}};
  ca_spec.not_after = 4102444800;
  ca_spec.is_ca = true;
  auto ca = x509::IssueCertificate(ca_spec, ca_key.public_key(), nullptr, ca_key).value();
  x509::CertSpec leaf_spec;
  leaf_spec.subject = {{"CN", "enclave"}};
  leaf_spec.serial_be = {2};
  leaf_spec.not_after = 4102444800;
  auto leaf = x509::IssueCertificate(leaf_spec, x509::PublicKey(pub), &ca, ca_key).value();
  const unsigned char* c = leaf.der().data();
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &c, static_cast<long>(leaf.der().size())), X509_free);
  BOOST_REQUIRE(cert != nullptr);

  OSSL_LIB_CTX* ctx = crypto::LibCtx();
  std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> cbc(
      EVP_CIPHER_fetch(ctx, "AES-256-CBC", nullptr), EVP_CIPHER_free);
  std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
      CMS_encrypt_ex(nullptr, nullptr, cbc.get(), CMS_BINARY | CMS_PARTIAL, ctx, nullptr),
      CMS_ContentInfo_free);
  BOOST_REQUIRE(cms != nullptr);
  CMS_RecipientInfo* ri = CMS_add1_recipient_cert(cms.get(), cert.get(), oaep ? CMS_KEY_PARAM : 0);
  BOOST_REQUIRE(ri != nullptr);
  if (oaep) {
    EVP_PKEY_CTX* pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
    BOOST_REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) == 1);
    BOOST_REQUIRE(EVP_PKEY_CTX_set_rsa_oaep_md_name(pctx, "SHA256", nullptr) == 1);
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(content.data(), static_cast<int>(content.size())), BIO_free);
  BOOST_REQUIRE(CMS_final(cms.get(), in.get(), nullptr, CMS_BINARY) == 1);
  unsigned char* der = nullptr;
  const int n = i2d_CMS_ContentInfo(cms.get(), &der);
  BOOST_REQUIRE(n > 0);
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(enclave_crypto)

BOOST_AUTO_TEST_CASE(vendor_tags_are_the_seeds) {
  BOOST_TEST(*VendorTag(TeeType::IntelTdx) == "tenzro-tdx-enclave-key-v1");
  BOOST_TEST(*VendorTag(TeeType::AmdSevSnp) == "tenzro-sev-snp-enclave-key-v1");
  BOOST_TEST(*VendorTag(TeeType::AwsNitro) == "tenzro-nitro-enclave-key-v1");
  BOOST_TEST(*VendorTag(TeeType::NvidiaGpu) == "tenzro-nvidia-gpu-enclave-key-v1");
  BOOST_TEST(!VendorTag(TeeType::Simulated).has_value());
}

// The seed's example: encrypt "MPC key share for wallet" under
// "wallet-share-1" and get it back; the wire format and derivation are the
// header's, recomputed here from the primitives.
BOOST_AUTO_TEST_CASE(seed_example_round_trip_and_layout) {
  EnclaveCrypto ec(Sim(TeeType::IntelTdx));
  const std::string plain = "MPC key share for wallet";
  auto sealed = ec.Encrypt("wallet-share-1", Str(plain));
  BOOST_REQUIRE(sealed.ok());
  BOOST_TEST(sealed->size() == 1 + 12 + plain.size() + 16);
  BOOST_TEST((*sealed)[0] == 0x81);  // version 1, simulation flag
  auto opened = ec.Decrypt("wallet-share-1", AsView(*sealed));
  BOOST_REQUIRE(opened.ok());
  BOOST_TEST((*opened == Bytes(plain.begin(), plain.end())));

  // Independent recomputation: root = HKDF(key id, sim salt, tag); key =
  // HKDF(root, key id, tag); AES-256-GCM with the documented AAD.
  const std::string tag = "tenzro-tdx-enclave-key-v1";
  auto root =
      crypto::HkdfSha256Key(Str("wallet-share-1"), Str("tenzro-tee-simulation-root-v1"), Str(tag))
          .value();
  auto key = crypto::HkdfSha256Key(root.view(), Str("wallet-share-1"), Str(tag)).value();
  const std::string aad_tag = "tenzro-tee-enclave-v1";
  Bytes aad(aad_tag.begin(), aad_tag.end());
  aad.insert(aad.end(), {0x81, 0x01, 14});  // header, vendor IntelTdx, len(key id)
  const std::string kid = "wallet-share-1";
  aad.insert(aad.end(), kid.begin(), kid.end());
  BOOST_TEST((aad == EnclaveCrypto::Aad(0x81, TeeType::IntelTdx, kid)));
  Bytes out(plain.size());
  const crypto::Aes256Gcm gcm;
  BOOST_REQUIRE(
      gcm.Open(key, AsView(*sealed).subspan(1, 12), AsView(aad), AsView(*sealed).subspan(13), out)
          .ok());
  BOOST_TEST((out == Bytes(plain.begin(), plain.end())));
}

BOOST_AUTO_TEST_CASE(nonces_are_fresh) {
  EnclaveCrypto ec(Sim());
  auto a = ec.Encrypt("k", Str("same")).value();
  auto b = ec.Encrypt("k", Str("same")).value();
  BOOST_TEST((a != b));
  BOOST_TEST((Bytes(a.begin() + 1, a.begin() + 13) != Bytes(b.begin() + 1, b.begin() + 13)));
}

BOOST_AUTO_TEST_CASE(negative_cases_never_release_plaintext) {
  EnclaveCrypto ec(Sim());
  const Bytes sealed = ec.Encrypt("key-a", Str("secret payload")).value();
  struct Case {
    const char* name;
    std::string key_id;
    Bytes bytes;
    ErrorCode want;
  };
  std::vector<Case> cases = {
      {"wrong key id", "key-b", sealed, ErrorCode::kAuthentication},
      {"empty", "key-a", {}, ErrorCode::kInvalidArgument},
      {"header, nonce and tag minus one", "key-a", Bytes(sealed.begin(), sealed.begin() + 28),
       ErrorCode::kInvalidArgument},
      {"truncated by one", "key-a", Bytes(sealed.begin(), sealed.end() - 1),
       ErrorCode::kAuthentication},
      {"extended by one", "key-a",
       [&] {
         Bytes b = sealed;
         b.push_back(0);
         return b;
       }(),
       ErrorCode::kAuthentication},
      {"unknown version", "key-a",
       [&] {
         Bytes b = sealed;
         b[0] = 0x82;
         return b;
       }(),
       ErrorCode::kUnsupported},
      {"simulation flag cleared", "key-a",
       [&] {
         Bytes b = sealed;
         b[0] = 0x01;
         return b;
       }(),
       ErrorCode::kAuthentication},
      {"empty key id", "", sealed, ErrorCode::kInvalidArgument},
      {"key id of 256 bytes", std::string(256, 'k'), sealed, ErrorCode::kInvalidArgument},
  };
  for (size_t i = 1; i < sealed.size(); ++i) {
    Bytes b = sealed;
    b[i] ^= 0x80;
    cases.push_back({"bit flip", "key-a", b, ErrorCode::kAuthentication});
  }
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      auto r = ec.Decrypt(c.key_id, AsView(c.bytes));
      BOOST_REQUIRE(!r.ok());
      BOOST_TEST((r.status().code() == c.want));
    }
  }
}

BOOST_AUTO_TEST_CASE(vendor_is_bound) {
  EnclaveCrypto tdx(Sim(TeeType::IntelTdx));
  EnclaveCrypto snp(Sim(TeeType::AmdSevSnp));
  auto sealed = tdx.Encrypt("k", Str("x")).value();
  auto r = snp.Decrypt("k", AsView(sealed));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == ErrorCode::kAuthentication));
}

BOOST_AUTO_TEST_CASE(simulation_ciphertext_refused_by_production_source) {
  EnclaveCrypto sim(Sim());
  auto sealed = sim.Encrypt("k", Str("x")).value();
  FakeSevGuest dev(7);
  EnclaveCrypto prod(std::make_shared<SnpDerivedKeySource>(dev, SnpKeyRequest{}));
  auto r = prod.Decrypt("k", AsView(sealed));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == ErrorCode::kSimulationDisabled));
  BOOST_TEST(dev.calls == 0);  // refused before any key was derived
  // And the other way round.
  auto hw = prod.Encrypt("k", Str("x")).value();
  BOOST_TEST(hw[0] == 0x01);
  BOOST_TEST((sim.Decrypt("k", AsView(hw)).status().code() == ErrorCode::kAuthentication));
}

BOOST_AUTO_TEST_CASE(simulation_source_needs_simulation_on) {
  auto r = SimulationKeySource::Create(TeeType::IntelTdx, false);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == ErrorCode::kSimulationDisabled));
}

BOOST_AUTO_TEST_CASE(no_key_source_fails_clearly) {
  for (TeeType t : {TeeType::IntelTdx, TeeType::NvidiaGpu}) {
    EnclaveCrypto ec(std::make_shared<NoKeySource>(t));
    auto r = ec.Encrypt("k", Str("x"));
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST((r.status().code() == ErrorCode::kUnsupported));
    BOOST_TEST(r.status().message() == "no hardware key source for " + std::string(TeeTypeName(t)));
  }
}

BOOST_AUTO_TEST_CASE(per_key_message_limit_is_enforced) {
  Options o;
  o.max_messages_per_key = 3;
  EnclaveCrypto ec(Sim(), o);
  for (int i = 0; i < 3; ++i) BOOST_REQUIRE(ec.Encrypt("k", Str("m")).ok());
  auto r = ec.Encrypt("k", Str("m"));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == ErrorCode::kOverflow));
  BOOST_TEST(ec.Encrypt("other", Str("m")).ok());  // per key id
  BOOST_TEST(kMaxMessagesPerKey == (uint64_t{1} << 32));
}

BOOST_AUTO_TEST_CASE(sev_snp_derived_key_through_the_ioctl_seam) {
  FakeSevGuest dev(0x5a);
  SnpKeyRequest req;
  req.vmpl = 1;
  req.guest_svn = 0x01020304;
  req.tcb_version = 0x1122334455667788ull;
  auto src = std::make_shared<SnpDerivedKeySource>(dev, req);
  EnclaveCrypto ec(src);
  auto sealed = ec.Encrypt("disk", Str("sealed")).value();
  BOOST_TEST(dev.calls == 1);
  BOOST_TEST(dev.msg_version == 1);
  // struct snp_derived_key_req, little-endian: root_key_select u32 = 0,
  // rsvd u32 = 0, guest_field_select u64 = policy|measurement (0x9),
  // vmpl u32 = 1, guest_svn u32, tcb_version u64.
  BOOST_TEST(ToHex(AsView(dev.request_bytes)) ==
             "00000000"
             "00000000"
             "0900000000000000"
             "01000000"
             "04030201"
             "8877665544332211");
  // Only the same (fake) chip and request re-derive the key.
  EnclaveCrypto again(std::make_shared<SnpDerivedKeySource>(dev, req));
  BOOST_TEST(again.Decrypt("disk", AsView(sealed)).ok());
  FakeSevGuest other_chip(0x5b);
  EnclaveCrypto other(std::make_shared<SnpDerivedKeySource>(other_chip, req));
  BOOST_TEST((other.Decrypt("disk", AsView(sealed)).status().code() == ErrorCode::kAuthentication));
  SnpKeyRequest other_req = req;
  other_req.guest_field_select |= 1u << 5;
  EnclaveCrypto other_fields(std::make_shared<SnpDerivedKeySource>(dev, other_req));
  BOOST_TEST(
      (other_fields.Decrypt("disk", AsView(sealed)).status().code() == ErrorCode::kAuthentication));
}

BOOST_AUTO_TEST_CASE(sev_snp_failures_are_errors_not_keys) {
  FakeSevGuest dev(1);
  dev.fail_fw = 0x16;
  EnclaveCrypto ec(std::make_shared<SnpDerivedKeySource>(dev, SnpKeyRequest{}));
  auto r = ec.Encrypt("k", Str("x"));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("fw_error 22") != std::string::npos);
  FakeSevGuest bad_status(1);
  bad_status.status = 1;
  EnclaveCrypto ec2(std::make_shared<SnpDerivedKeySource>(bad_status, SnpKeyRequest{}));
  BOOST_TEST((ec2.Encrypt("k", Str("x")).status().code() == ErrorCode::kInternal));
  // No /dev/sev-guest at all: not an SEV-SNP guest.
  auto none = SystemDeviceIo("/nonexistent-root");
  EnclaveCrypto ec3(std::make_shared<SnpDerivedKeySource>(*none, SnpKeyRequest{}));
  BOOST_TEST((ec3.Encrypt("k", Str("x")).status().code() == ErrorCode::kUnsupported));
}

BOOST_AUTO_TEST_CASE(nitro_kms_recipient_flow) {
  auto src = std::shared_ptr<RecipientKeySource>(
      RecipientKeySource::Create(TeeType::AwsNitro).value().release());
  EnclaveCrypto ec(src);
  // Before KMS answered: no key, no fallback.
  BOOST_TEST(ec.Encrypt("k", Str("x")).status().message() == "no hardware key source for AwsNitro");
  const Bytes spki = src->PublicKeyDer().value();
  Bytes root(32);
  for (size_t i = 0; i < 32; ++i) root[i] = static_cast<uint8_t>(i * 7 + 1);
  // PKCS#1 v1.5 key transport is refused (no padding oracle for the host).
  auto v15 = src->Deliver(AsView(MakeEnvelope(spki, AsView(root), /*oaep=*/false)));
  BOOST_TEST((v15.code() == ErrorCode::kInvalidArgument));
  // Not 32 bytes.
  BOOST_TEST(!src->Deliver(AsView(MakeEnvelope(spki, AsView(Bytes(31, 1))))).ok());
  // Garbage and tampered envelopes.
  BOOST_TEST(!src->Deliver(Str("not cms")).ok());
  Bytes env = MakeEnvelope(spki, AsView(root));
  Bytes bad = env;
  bad[bad.size() - 5] ^= 1;  // inside the encrypted content
  BOOST_TEST(!src->Deliver(AsView(bad)).ok());
  // An envelope for another enclave's key does not open.
  auto stranger = RecipientKeySource::Create(TeeType::AwsNitro).value();
  BOOST_TEST(!stranger->Deliver(AsView(env)).ok());

  BOOST_REQUIRE(src->Deliver(AsView(env)).ok());
  auto sealed = ec.Encrypt("k", Str("x"));
  BOOST_REQUIRE(sealed.ok());
  BOOST_TEST(ec.Decrypt("k", AsView(*sealed)).ok());
  // The key is HKDF(root, key id, nitro tag): recompute it.
  auto key =
      crypto::HkdfSha256Key(AsView(root), Str("k"), Str("tenzro-nitro-enclave-key-v1")).value();
  Bytes out(1);
  const crypto::Aes256Gcm gcm;
  BOOST_TEST(gcm.Open(key, AsView(*sealed).subspan(1, 12),
                      AsView(EnclaveCrypto::Aad(0x01, TeeType::AwsNitro, "k")),
                      AsView(*sealed).subspan(13), out)
                 .ok());
  // The same root again is fine; a different one is refused.
  BOOST_TEST(src->Deliver(AsView(env)).ok());
  Bytes root2 = root;
  root2[0] ^= 1;
  BOOST_TEST(!src->Deliver(AsView(MakeEnvelope(spki, AsView(root2)))).ok());
}

BOOST_AUTO_TEST_CASE(tdx_host_delivered_root) {
  auto src = std::shared_ptr<RecipientKeySource>(
      RecipientKeySource::Create(TeeType::IntelTdx).value().release());
  EnclaveCrypto ec(src);
  BOOST_TEST(ec.Encrypt("k", Str("x")).status().message() == "no hardware key source for IntelTdx");
  BOOST_REQUIRE(
      src->Deliver(AsView(MakeEnvelope(src->PublicKeyDer().value(), AsView(Bytes(32, 9))))).ok());
  BOOST_TEST(ec.Encrypt("k", Str("x")).ok());
}

BOOST_AUTO_TEST_SUITE_END()

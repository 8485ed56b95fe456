// X.509 certificates, CRLs and ECDSA/RSA-PSS verification over OpenSSL 3.
//
// The one place the plugin touches OpenSSL's certificate code: the TDX, SNP
// (and later Nitro, NVIDIA) verifiers share it, so certificate, CRL and
// signature handling is written once. Nothing here reads the clock: every
// time check takes `t` (unix seconds) from the caller. Windows are inclusive
// (DESIGN §5).
//
// Objects are immutable after parsing and safe to share between threads
// (OpenSSL's verify calls on shared keys are thread-safe in 3.x).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

// Opaque OpenSSL types, so users of this header need no OpenSSL includes.
typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;
typedef struct X509_crl_st X509_CRL;

namespace tenzro::tee::x509 {

enum class Digest { kSha256, kSha384 };
enum class Curve { kP256, kP384 };

// A public key (EC or RSA). Cheap to copy (shared).
class PublicKey {
 public:
  PublicKey() = default;
  explicit PublicKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  bool empty() const { return key_ == nullptr; }
  EVP_PKEY* get() const { return key_.get(); }
  // Uncompressed EC point without the 0x04 prefix (x || y), or nullopt for a
  // non-EC key.
  std::optional<Bytes> EcPointXY() const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
};

// An EC public key from its raw coordinates x || y (64 bytes for P-256, 96
// for P-384). kCollateral-free: a bad point is kInvalidArgument.
Result<PublicKey> EcPublicKeyFromXY(Curve curve, ByteView xy);

// ECDSA verification with the signature as big-endian r and s (each at most
// the curve's size; shorter values are left-padded). False on any failure.
bool EcdsaVerify(const PublicKey& key, Digest digest, ByteView message, ByteView r_be,
                 ByteView s_be);
// The same with r || s concatenated (64 bytes for P-256, 96 for P-384).
bool EcdsaVerifyRaw(const PublicKey& key, Digest digest, ByteView message, ByteView rs_be);

class Certificate {
 public:
  // One DER certificate; trailing bytes are an error.
  static Result<Certificate> FromDer(ByteView der);
  // Every certificate of a PEM text (CERTIFICATE blocks in order, other
  // blocks and text skipped), or one DER certificate. Empty result: error.
  static Result<std::vector<Certificate>> ParseAll(ByteView pem_or_der);

  const Bytes& der() const { return der_; }
  const Hash32& fingerprint() const { return fingerprint_; }  // SHA-256 of the DER
  // RFC 2253 one-line names (e.g. "CN=Intel SGX Root CA,O=Intel Corporation,...").
  const std::string& subject() const { return subject_; }
  const std::string& issuer() const { return issuer_; }
  // A single attribute of the subject, e.g. SubjectAttr("CN").
  std::optional<std::string> SubjectAttr(std::string_view short_name) const;
  // DER of the subject/issuer Name (exact comparison of names).
  const Bytes& subject_der() const { return subject_der_; }
  const Bytes& issuer_der() const { return issuer_der_; }
  // Serial number as minimal big-endian magnitude bytes (zero is {0}).
  const Bytes& serial() const { return serial_; }
  int64_t not_before() const { return not_before_; }
  int64_t not_after() const { return not_after_; }
  bool ValidAt(uint64_t t) const {
    return static_cast<int64_t>(t) >= not_before_ && static_cast<int64_t>(t) <= not_after_;
  }
  bool is_ca() const { return is_ca_; }
  const PublicKey& public_key() const { return key_; }
  // Content of the extnValue OCTET STRING of the extension with this dotted
  // OID, or nullopt when absent.
  std::optional<Bytes> Extension(std::string_view oid) const;
  // Signature of this certificate under `issuer_key` (ECDSA, RSA PKCS#1 and
  // RSA-PSS as the certificate says).
  bool SignatureVerifiesWith(const PublicKey& issuer_key) const;
  // Issuer name equals issuer's subject and the signature verifies.
  bool IssuedBy(const Certificate& issuer) const;
  X509* raw() const { return x509_.get(); }

 private:
  std::shared_ptr<X509> x509_;
  Bytes der_;
  Hash32 fingerprint_{};
  std::string subject_, issuer_;
  Bytes subject_der_, issuer_der_, serial_;
  int64_t not_before_ = 0, not_after_ = 0;
  bool is_ca_ = false;
  PublicKey key_;
};

class Crl {
 public:
  // DER, or the first X509 CRL block of a PEM text.
  static Result<Crl> Parse(ByteView der_or_pem);
  static bool LooksLikeCrl(ByteView data);

  const Bytes& der() const { return der_; }
  const Hash32& fingerprint() const { return fingerprint_; }
  const std::string& issuer() const { return issuer_; }
  const Bytes& issuer_der() const { return issuer_der_; }
  int64_t this_update() const { return this_update_; }
  // nextUpdate; a CRL without one is treated as valid from thisUpdate on only
  // at thisUpdate (callers should require it).
  std::optional<int64_t> next_update() const { return next_update_; }
  bool ValidAt(uint64_t t) const {
    return next_update_ && static_cast<int64_t>(t) >= this_update_ &&
           static_cast<int64_t>(t) <= *next_update_;
  }
  bool SignatureVerifiesWith(const PublicKey& issuer_key) const;
  // Issuer name equals issuer's subject and the signature verifies.
  bool IssuedBy(const Certificate& issuer) const;
  // Serial as minimal big-endian magnitude bytes (as Certificate::serial()).
  bool IsRevoked(ByteView serial) const;
  const std::vector<Bytes>& revoked_serials() const { return revoked_; }  // sorted

 private:
  std::shared_ptr<X509_CRL> crl_;
  Bytes der_;
  Hash32 fingerprint_{};
  std::string issuer_;
  Bytes issuer_der_;
  int64_t this_update_ = 0;
  std::optional<int64_t> next_update_;
  std::vector<Bytes> revoked_;
};

// PEM text: whether data holds a "-----BEGIN " line, and the DER of every
// block with the given label ("CERTIFICATE", "X509 CRL") in order; other
// blocks and text between blocks are skipped.
bool LooksLikePem(ByteView data);
std::vector<Bytes> PemBlocksDer(ByteView pem, std::string_view label);

// Digest of data (SHA-256 or SHA-384) in the plugin's library context
// (OCSP CertID hashes, issue 11). Empty on a library failure.
Bytes DigestOf(Digest digest, ByteView data);
// A DER GeneralizedTime's content ("YYYYMMDDHHMMSSZ") as unix seconds;
// nullopt when it is not a valid UTC GeneralizedTime.
std::optional<int64_t> GeneralizedTimeToUnix(ByteView content);

// Minimal big-endian magnitude (leading zero bytes stripped; zero is {0}).
Bytes MinimalBigEndian(ByteView be);

// PEM text of certificates (in order), and of a CRL.
std::string ToPem(const std::vector<Certificate>& certs);
std::string CrlToPem(const Crl& crl);

}  // namespace tenzro::tee::x509

// The signing half (crypto/x509_signing.h) is declared through this header
// for the simulators' existing includes, and defined only in the testing
// target tenzro_crypto_testing: a production target that calls it does not
// link, and the plugin module carries no signing code or development key.
#include "crypto/x509_signing.h"

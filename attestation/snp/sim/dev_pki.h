// The SEV-SNP simulator's DEVELOPMENT PKI, shaped like AMD's KDS PKI.
//
// Per product (Milan, Genoa, Turin): a dev ARK (RSA-4096, self-signed), a dev
// ASK and a dev ASVK (RSA-4096, signed by the ARK), all RSASSA-PSS SHA-384
// with salt 48 as AMD signs; and one P-384 key for dev VCEKs and one for dev
// VLEKs. The keys and the ARK/ASK/ASVK certificates were generated ONCE by
// make_dev_pki.cpp and are committed in dev_pki_data.cpp. They are NOT AMD's
// and their private keys are public: the verifier trusts the dev ARKs (by the
// fingerprints of dev_roots.h) only when [tee] simulation = true.
//
// VCEK/VLEK certificates are issued on demand (IssueVek) because they carry
// the TCB and chip id of the report they sign. Thread-safety: DevPki() parses
// the committed PEM once (thread-safe static); the returned objects are
// immutable.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attestation/snp/report_format.h"
#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::snp::sim {

using format::Product;

// The three products the dev PKI covers, in order.
inline constexpr std::array<Product, 3> kDevProducts = {Product::kMilan, Product::kGenoa,
                                                        Product::kTurin};

// Windows of the committed dev ARK/ASK/ASVK certificates (inclusive, §5):
// 2024-01-01T00:00:00Z .. 2049-01-01T00:00:00Z.
inline constexpr int64_t kDevCaNotBefore = 1'704'067'200;
inline constexpr int64_t kDevCaNotAfter = 2'493'072'000;

// A certificate with its private key.
struct DevCa {
  x509::Certificate cert;
  x509::PrivateKey key;
};

struct DevProductPki {
  Product product = Product::kUnknown;
  DevCa ark, ask, asvk;
  x509::PrivateKey vcek_key;  // P-384
  x509::PrivateKey vlek_key;  // P-384
};

// REQUIRES: p is Milan, Genoa or Turin. Aborts if the committed data does not
// parse (a build defect, never input).
const DevProductPki& DevPki(Product p);

// AMD's subject layout with a development organisation, e.g. for "ARK-Milan":
// OU=Engineering, C=US, L=Santa Clara, ST=CA, O=<dev label>, CN=ARK-Milan.
std::vector<x509::NameEntry> DevSubject(const std::string& cn);

// The organisation every dev certificate carries, so no one mistakes them
// for AMD's.
inline constexpr char kDevOrganization[] = "tenzro-tee SNP simulator DEVELOPMENT PKI (not AMD)";

// ---- issuing ----------------------------------------------------------------

// The TCB components of a TCB_VERSION (fmc is Turin only).
struct Tcb {
  uint8_t fmc = 0;
  uint8_t boot_loader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
};

// A VCEK or VLEK to issue. Every field can be faulted for tests.
struct VekSpec {
  Product product = Product::kGenoa;
  bool vlek = false;
  Tcb tcb;
  // VCEK: hwID (64 bytes; Turin 8). Ignored for a VLEK unless
  // force_hwid is set (tests of "VLEK carrying hwID").
  Bytes hwid;
  bool force_hwid = false;
  // hwID encoding: raw bytes in extnValue (KDS default) or wrapped once more
  // in an OCTET STRING (both occur in the wild).
  bool hwid_in_octet_string = false;
  // productName; empty: the KDS form ("Milan-B0", "Genoa", "Turin"; a VLEK
  // carries the bare product name).
  std::string product_name;
  int64_t not_before = 1'735'689'600;  // 2025-01-01T00:00:00Z
  int64_t not_after = 1'956'528'000;   // 2032-01-01T00:00:00Z
  Bytes serial_be = {0};               // AMD's VCEKs carry serial 0
  std::string cn;                      // empty: SEV-VCEK / SEV-VLEK
  // Key certified; null: the product's dev VCEK/VLEK key.
  const x509::PrivateKey* subject_key = nullptr;
  // Issuer; null: the product's dev ASK (VCEK) or ASVK (VLEK).
  const DevCa* issuer = nullptr;
  // Extensions to leave out (dotted OIDs), and extra ones.
  std::vector<std::string> omit_oids;
  std::vector<x509::ExtensionSpec> extra_extensions;
  // VLEK cspID (1.3.6.1.4.1.3704.1.5); empty: none.
  std::string csp_id = "CN=tenzro-sim.invalid";
};

Result<x509::Certificate> IssueVek(const VekSpec& spec);

// An ASK (asvk = false) or ASVK of `product` signed by `issuer` (null: the dev
// ARK), for tests that need another window, name or signer than the committed
// one. The key is the committed ASK/ASVK key unless subject_key is given.
struct IntermediateSpec {
  Product product = Product::kGenoa;
  bool asvk = false;
  int64_t not_before = kDevCaNotBefore;
  int64_t not_after = kDevCaNotAfter;
  Bytes serial_be;  // empty: the committed certificate's serial
  std::string cn;   // empty: SEV-<Product> / SEV-VLEK-<Product>
  const x509::PrivateKey* subject_key = nullptr;
  const DevCa* issuer = nullptr;
};
Result<x509::Certificate> IssueIntermediate(const IntermediateSpec& spec);

// A CRL signed by the product's dev ARK (or `issuer`) revoking `revoked`
// serials (big-endian magnitudes, e.g. the dev ASK's serial()).
Result<x509::Crl> IssueArkCrl(Product product, int64_t this_update, int64_t next_update,
                              const std::vector<Bytes>& revoked, const DevCa* issuer = nullptr);

}  // namespace tenzro::tee::snp::sim

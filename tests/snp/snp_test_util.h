// Test helpers for the SNP verifier: a small test PKI shaped like AMD's
// (RSA-2048 here for speed; RSA-PSS SHA-384 signatures, P-384 VEK keys) and a
// report builder that signs with the VEK key. Independent of the simulator
// (attestation/snp/sim/), which lives on its own branch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attestation/snp/report.h"
#include "attestation/snp/snp_verifier.h"
#include "core/bytes.h"
#include "crypto/x509.h"

namespace tenzro::tee::snp::testutil {

inline constexpr int64_t kCaNotBefore = 1'700'000'000;   // 2023-11-14
inline constexpr int64_t kCaNotAfter = 2'500'000'000;    // 2049
inline constexpr int64_t kVekNotBefore = 1'735'689'600;  // 2025-01-01
inline constexpr int64_t kVekNotAfter = 1'956'528'000;   // 2032-01-01
inline constexpr uint64_t kNow = 1'767'225'600;          // 2026-01-01

struct Ca {
  x509::Certificate cert;
  x509::PrivateKey key;
};

// One product's test PKI, generated once per process.
struct TestPki {
  Product product = Product::kGenoa;
  Ca ark, ask, asvk;
  x509::PrivateKey vcek_key, vlek_key;
};
const TestPki& Pki(Product p);
// A second, unrelated ARK/ASK of the same names (an impostor PKI).
const TestPki& ImpostorPki(Product p);

std::vector<x509::NameEntry> Subject(const std::string& cn);

struct VekSpec {
  bool vlek = false;
  RawTcb tcb{};               // in the product's layout (the report's REPORTED_TCB)
  Bytes hwid;                 // VCEK; empty: none
  bool hwid_wrapped = false;  // hwID wrapped in an OCTET STRING
  std::string product_name;   // empty: KDS form
  int64_t not_before = kVekNotBefore;
  int64_t not_after = kVekNotAfter;
  const Ca* issuer = nullptr;             // null: the PKI's ASK (VCEK) / ASVK (VLEK)
  const x509::PrivateKey* key = nullptr;  // null: the PKI's VCEK/VLEK key
  // The issuer's signature (ECDSA when a VEK plays the issuer).
  x509::SigScheme scheme = x509::SigScheme::kRsaPssSha384;
};
x509::Certificate IssueVek(const TestPki& pki, const VekSpec& spec);

x509::Certificate IssueIntermediate(const TestPki& pki, bool asvk, int64_t not_before,
                                    int64_t not_after, Bytes serial, const Ca* issuer = nullptr);
x509::Crl IssueCrl(const Ca& issuer, int64_t this_update, int64_t next_update,
                   const std::vector<Bytes>& revoked);

// A report template: version 3 (2 and 5 by the argument), product CPUID,
// policy 0x30000, VMPL 0, VCEK, TCB 10/0/23/84 (Turin: 0/1/0/2/71), chip id
// derived from `label`, firmware 1.55.40. Not signed: call Sign().
Bytes ReportTemplate(Product product, uint32_t version = 3);
RawTcb DefaultTcb(Product product);
Bytes ChipIdOf(const Bytes& report, Product product);  // 64 bytes (Turin: 8)
// Writes the signature of [0, 0x2A0) by key (R and S as 72-byte LE).
void Sign(Bytes& report, const x509::PrivateKey& key);

// Field writers.
void PutLe(Bytes& report, const format::Range& r, uint64_t v);
void PutBytesAt(Bytes& report, size_t offset, ByteView v);

// The cert table form: report || GHCB table of (guid, der).
Bytes WithCertTable(const Bytes& report, const std::vector<std::pair<format::Guid, Bytes>>& certs);
// The Azure HCL form around a report.
Bytes WrapHcl(const Bytes& report);

// CollateralSet from blobs through ParseCollateral in passes (as
// VerifyStandalone does); blobs that never parse are skipped.
CollateralSet Admit(const SnpVerifier& v, const std::vector<Bytes>& blobs, uint64_t now,
                    const CollateralSet& base = CollateralSet());

// PEM of certificates.
Bytes Pem(const std::vector<x509::Certificate>& certs);
// Verifier options trusting the test PKI's ARKs as development ARKs.
VerifierOptions TestDevOptions();
// A policy pinning the test PKI's ARKs as if they were AMD's.
Policy PinnedTestPolicy();

}  // namespace tenzro::tee::snp::testutil

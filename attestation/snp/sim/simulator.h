// The SEV-SNP simulator: a signed report with the dev VCEK/VLEK certificate
// that matches it, its ASK/ASVK and ARK, in every evidence form; used by the
// tests (one fault at a time), the fuzz seeds, the bench and devnets with
// [tee] simulation = true (DESIGN §8).
//
//   auto spec = sim::DefaultSimSpec(Product::kGenoa);
//   sim::Bind(spec.report, {validator_id, challenge});
//   auto ev = sim::Simulate(spec);         // ev->Extended() is evidence
//
// Thread-safe (pure functions over the immutable dev PKI).
#pragma once

#include <optional>
#include <string>

#include "attestation/snp/sim/dev_pki.h"
#include "attestation/snp/sim/report_builder.h"

namespace tenzro::tee::snp::sim {

struct SimSpec {
  ReportSpec report;
  // The VEK; nullopt: VekSpecFor(report), i.e. a certificate that matches.
  std::optional<VekSpec> vek;
  // The ASK/ASVK shipped with the evidence; nullopt: the committed one.
  std::optional<x509::Certificate> intermediate;
  // The ARK shipped with the evidence; nullopt: the committed dev ARK.
  std::optional<x509::Certificate> ark;
  // Key that signs the report; null: the key the VEK certifies.
  const x509::PrivateKey* signing_key = nullptr;
};

// The product's default report (DefaultReportSpec) signed by its dev VCEK.
SimSpec DefaultSimSpec(Product product);

// A VEK spec matching the report: VLEK when SIGNING_KEY says so, TCB =
// REPORTED_TCB, hwID = CHIP_ID (Turin: 8 bytes).
VekSpec VekSpecFor(const ReportSpec& report);

struct SimEvidence {
  Product product = Product::kUnknown;
  bool vlek = false;
  Bytes report;  // the raw signed 1184-byte report
  x509::Certificate vek;
  x509::Certificate intermediate;  // ASK or ASVK
  x509::Certificate ark;

  // Report + GHCB certificate table {VCEK|VLEK, ASK (the ASVK travels under
  // the ASK GUID), ARK (when with_ark)}.
  Bytes Extended(bool with_ark = true) const;
  // Azure's HCL blob around the report (its REPORT_DATA is whatever the spec
  // said; HclReportData gives the Azure convention).
  Bytes Hcl(ByteView runtime_data = {}) const;
  // PEM of the VEK, and of the KDS cert_chain (ASK/ASVK then ARK).
  std::string VekPem() const;
  std::string ChainPem() const;
};

Result<SimEvidence> Simulate(const SimSpec& spec);

}  // namespace tenzro::tee::snp::sim

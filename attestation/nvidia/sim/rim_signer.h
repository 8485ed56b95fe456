// The NVIDIA RIM simulator: a development CoRIM PKI (root -> CA -> signer,
// P-384, committed in rim_dev_pki_data.cpp) and SWID-tag RIMs in NVIDIA's
// layout, signed with xmlsec1 (enveloped XML-DSig, ecdsa-sha384, c14n 1.1,
// the chain in KeyInfo). TESTING library only (tenzro_nvidia_rim_sim): never
// linked into the plugin module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509_signing.h"

namespace tenzro::tee::nvidia::sim {

struct RimPki {
  x509::Certificate root, ca, signer;
  x509::PrivateKey root_key, ca_key, signer_key;
};

// The committed development PKI (parsed once; never NVIDIA's).
const RimPki& DevRimPki();
// SHA-256 of the dev root's DER: the rim_root_sha256 pin under simulation.
const Hash32& DevRimRootSha256();

struct GoldenSpec {
  uint32_t index = 0;
  uint32_t size = 48;
  bool active = true;
  std::vector<Bytes> alternatives;  // hex-encoded as Hash0..Hash{n-1}
};

struct RimSpec {
  std::string tag_id = "tenzro-dev-rim";
  std::string colloquial_version = "550.90.07";
  std::string product = "GH100";
  std::string edition = "GPU";
  std::vector<GoldenSpec> measurements;
};

// The unsigned SWID document of `spec` (no Signature element).
std::string RimXml(const RimSpec& spec);

// Signs `unsigned_xml` (enveloped XML-DSig appended to the root) with `key`
// and writes `chain` (signer first) into KeyInfo.
Result<std::string> SignRimXml(std::string_view unsigned_xml, const x509::PrivateKey& key,
                               const std::vector<x509::Certificate>& chain);

// RimXml signed by the dev signer with KeyInfo [signer, CA, root].
Result<std::string> MakeRim(const RimSpec& spec);

// A fresh signer certificate under the dev CA with another window (expired
// and not-yet-valid cases), with its new key.
struct Signer {
  x509::Certificate cert;
  x509::PrivateKey key;
};
Result<Signer> IssueRimSigner(int64_t not_before, int64_t not_after);

// A spec with `n` active measurements at indices [first, first + n), value
// of index i = 48 bytes of (i + seed).
RimSpec SpecWithMeasurements(std::string version, uint32_t first, uint32_t n, uint8_t seed);
// The value SpecWithMeasurements puts at index i.
Bytes SimMeasurement(uint32_t index, uint8_t seed);

}  // namespace tenzro::tee::nvidia::sim

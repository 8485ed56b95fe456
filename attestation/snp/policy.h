// Chain policy of the SNP verifier ([tee.consensus.snp], DESIGN §10 defaults).
//
// Defaults accept genuine evidence broadly: AMD's ARKs pinned, VMPL up to 3,
// no minimum TCB or firmware, no allow-lists, masked chip ids accepted, CRLs
// checked when present (not required), DEBUG and MIGRATE_MA rejected.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.h"

namespace tenzro::tee::snp {

// SHA-256 of the DER of AMD's ARK certificates (KDS cert_chain, last cert).
inline constexpr Hash32 kAmdArkMilanSha256 = {
    0x69, 0xd0, 0x63, 0xb4, 0x53, 0x44, 0xd2, 0x6a, 0x2e, 0x94, 0xe1, 0xf4, 0x21, 0x0d, 0xe4, 0x9e,
    0xf5, 0x55, 0x30, 0x82, 0x87, 0xd4, 0xc1, 0x74, 0x44, 0x5c, 0x95, 0x63, 0x9a, 0x54, 0x0b, 0xcd};
inline constexpr Hash32 kAmdArkGenoaSha256 = {
    0x4c, 0x65, 0x98, 0xd1, 0x9c, 0x18, 0x71, 0x9c, 0x5d, 0xfd, 0x4a, 0x7d, 0x33, 0x5f, 0x67, 0x4e,
    0x5b, 0xfe, 0x1d, 0x8f, 0x80, 0x0c, 0xea, 0x2c, 0xf2, 0x70, 0xc1, 0x0d, 0x10, 0x3d, 0xb2, 0xf1};
inline constexpr Hash32 kAmdArkTurinSha256 = {
    0x1f, 0x08, 0x41, 0x61, 0xa4, 0x4b, 0xb6, 0xd9, 0x37, 0x78, 0xa9, 0x04, 0x87, 0x7d, 0x48, 0x19,
    0xca, 0xfa, 0x5d, 0x05, 0xef, 0x41, 0x93, 0xb2, 0xde, 0xd9, 0xdd, 0x9c, 0x73, 0xdd, 0x3f, 0x6a};

// A minimum TCB: every SPL of REPORTED_TCB must be at least this. Turin
// uses fmc; Milan/Genoa ignore it.
struct MinTcb {
  uint8_t fmc = 0;
  uint8_t boot_loader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
  friend bool operator==(const MinTcb&, const MinTcb&) = default;
};

struct MinFirmware {
  uint8_t major = 0, minor = 0, build = 0;
  friend bool operator==(const MinFirmware&, const MinFirmware&) = default;
};

struct Policy {
  // Pinned ARKs (index = format::Product: unused, Milan, Genoa, Turin).
  Hash32 ark_milan_sha256 = kAmdArkMilanSha256;
  Hash32 ark_genoa_sha256 = kAmdArkGenoaSha256;
  Hash32 ark_turin_sha256 = kAmdArkTurinSha256;

  bool allow_debug = false;       // POLICY bit 19
  bool allow_migrate_ma = false;  // POLICY bit 18
  uint32_t max_vmpl = 3;
  // Per product; unset = no minimum.
  std::optional<MinTcb> min_tcb_milan, min_tcb_genoa, min_tcb_turin;
  // Minimum COMMITTED firmware version; unset = none.
  std::optional<MinFirmware> min_committed_fw;

  // Allow-lists (sorted, unique); empty = any.
  std::vector<std::array<uint8_t, 48>> measurements;
  std::vector<std::array<uint8_t, 32>> host_data;
  std::vector<std::array<uint8_t, 48>> id_key_digests;
  std::vector<std::array<uint8_t, 48>> author_key_digests;

  bool allow_masked_chip_id = true;
  bool require_crls = false;
};

}  // namespace tenzro::tee::snp

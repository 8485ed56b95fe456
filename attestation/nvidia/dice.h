// The FWID a GPU's leaf certificate (GSP FMC) carries in its TCG DICE
// extension, read with the bounds-checked DER walker (crypto/der.h).
//
//   Blackwell  2.23.133.5.4.1.1  DiceTcbInfo (TCG DICE Attestation
//              Architecture §6.1.1): fwids [6] IMPLICIT SEQUENCE OF FWID,
//              FWID ::= SEQUENCE { hashAlg OID, digest OCTET STRING };
//              the FWID is the digest of fwids[0].
//   Hopper     2.23.133.5.4.1    NVIDIA's own structure ending in an
//              OCTET STRING of the SHA-384 FWID: its last 48 bytes.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia {

inline constexpr char kOidDiceTcbInfo[] = "2.23.133.5.4.1.1";
inline constexpr char kOidNvidiaDiceFwid[] = "2.23.133.5.4.1";

// kNotFound when the certificate has neither extension; kInvalidArgument
// when one is present but malformed.
Result<std::array<uint8_t, 48>> LeafFwid(const x509::Certificate& leaf);
// The DiceTcbInfo case alone (extension content).
Result<std::array<uint8_t, 48>> FwidFromDiceTcbInfo(ByteView ext_value);

}  // namespace tenzro::tee::nvidia

// The DER of each CERTIFICATE block of a PEM text (OpenSSL's PEM reader), so
// the verifier can look certificates up by the SHA-256 of their DER before
// parsing them. crypto/x509.h keeps its PEM splitter private; this is the
// same OpenSSL call, exposed only to the TDX verifier.
#pragma once

#include <vector>

#include "core/bytes.h"

namespace tenzro::tee::tdx {

bool LooksLikePem(ByteView data);
// Blocks named CERTIFICATE in order; other blocks and text are skipped.
std::vector<Bytes> PemCertificateDers(ByteView pem);

}  // namespace tenzro::tee::tdx

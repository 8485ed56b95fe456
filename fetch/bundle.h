// Building blobs in the bundle convention the verifiers' ParseCollateral
// reads (BRIEF "Conventions"):
//   - a JSON document (TCB Info, QE Identity), a newline, then the PEM
//     CERTIFICATE blocks of its issuer chain;
//   - a CRL as DER, or as a PEM "X509 CRL" block followed by its issuer
//     chain's CERTIFICATE blocks;
//   - certificates as PEM CERTIFICATE blocks, leaf first.
// Only shapes are checked here (JSON parses, certificates and CRLs decode);
// authenticity is the verifier's job.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"
#include "fetch/https_client.h"

namespace tenzro::tee::fetch {

// Every certificate of a PEM text or one DER certificate; kCollateral if none.
Result<std::vector<x509::Certificate>> ParseCertificates(ByteView data, std::string_view what);

// A CRL served as DER, PEM, or hex text of the DER (PCCS's rootcacrl);
// kCollateral otherwise.
Result<x509::Crl> ParseCrlBody(ByteView body);

// The first of `names` present in the response, percent-decoded, parsed as
// certificates. kCollateral when absent or malformed.
Result<std::vector<x509::Certificate>> IssuerChainHeader(const HttpResponse& r,
                                                        std::initializer_list<std::string_view> names);

// JSON object body (surrounding whitespace trimmed) + "\n" + PEM chain.
// kCollateral when the body is not a JSON object or holds a PEM marker.
Result<Bytes> JsonBundle(ByteView body, const std::vector<x509::Certificate>& chain);

// PEM CRL + PEM chain; the DER alone when the chain is empty.
Bytes CrlBundle(const x509::Crl& crl, const std::vector<x509::Certificate>& chain);

// PEM of the certificates, in order.
Bytes CertBundle(const std::vector<x509::Certificate>& certs);

}  // namespace tenzro::tee::fetch

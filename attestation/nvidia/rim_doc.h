// Internal to attestation/nvidia/rim*.cpp: the parsed libxml2 tree of a RIM,
// kept so VerifyRim checks the signature over the very tree the claims were
// read from.
#pragma once

#include <memory>

#include <libxml/tree.h>

#include "attestation/nvidia/rim.h"

namespace tenzro::tee::nvidia::rim::detail {

struct XmlDocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;

struct ParsedRim {
  XmlDocPtr doc;
  xmlNode* signature = nullptr;  // the ds:Signature child of the root
  Rim rim;
};

// libxml2 and xmlsec process state, once (std::call_once); false when xmlsec
// could not be initialised (a broken installation: callers return kInternal).
bool InitXmlOnce();

Result<ParsedRim> ParseDocument(ByteView xml);

inline constexpr char kSwidNs[] = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
inline constexpr char kDsigNs[] = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr char kSha384Ns[] = "http://www.w3.org/2001/04/xmlenc#sha384";

}  // namespace tenzro::tee::nvidia::rim::detail

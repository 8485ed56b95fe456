#include "attestation/nvidia/rim.h"

#include <libxml/parser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <limits>

#include "attestation/nvidia/rim_doc.h"
#include "crypto/base64.h"

namespace tenzro::tee::nvidia::rim {
namespace {

using detail::kDsigNs;
using detail::kSha384Ns;
using detail::kSwidNs;

Status Bad(std::string m) { return Error(ErrorCode::kInvalidArgument, "RIM: " + std::move(m)); }
Status Unsupported(std::string m) { return Error(ErrorCode::kUnsupported, "RIM: " + std::move(m)); }

std::string_view Name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }
const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

bool IsElement(const xmlNode* n, const char* ns, std::string_view name) {
  return n->type == XML_ELEMENT_NODE && n->ns != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns) == 0 && Name(n) == name;
}

// Element children named `name` in namespace `ns`.
std::vector<xmlNode*> Children(xmlNode* parent, const char* ns, std::string_view name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, name)) out.push_back(c);
  }
  return out;
}

Result<xmlNode*> OnlyChild(xmlNode* parent, const char* ns, const char* name) {
  auto c = Children(parent, ns, name);
  if (c.size() != 1) return Bad(std::string("expected exactly one ") + name + " element");
  return c[0];
}

// An attribute's value (no namespace when ns == nullptr), or nullopt.
std::optional<std::string> Attr(xmlNode* n, const char* name, const char* ns = nullptr) {
  xmlChar* v = ns == nullptr ? xmlGetNoNsProp(n, X(name)) : xmlGetNsProp(n, X(name), X(ns));
  if (v == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

Result<std::string> RequiredAttr(xmlNode* n, const char* name) {
  auto v = Attr(n, name);
  if (!v || v->empty()) return Bad(std::string("missing attribute ") + name);
  return *v;
}

std::optional<uint32_t> Decimal(std::string_view s, uint32_t max) {
  uint32_t v = 0;
  if (s.empty() || s.size() > 10) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

bool IsHexPair(std::string_view s) {
  return s.size() == 2 && std::isxdigit(static_cast<unsigned char>(s[0])) &&
         std::isxdigit(static_cast<unsigned char>(s[1]));
}

std::vector<std::string_view> SplitDots(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::optional<RimKind> KindOfVersion(std::string_view v) {
  const auto parts = SplitDots(v);
  if (parts.size() == 5 && std::all_of(parts.begin(), parts.end(), IsHexPair)) {
    return RimKind::kVbios;
  }
  const bool decimal = parts.size() >= 2 && parts.size() <= 4 &&
                       std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
                         return Decimal(p, std::numeric_limits<uint32_t>::max()).has_value();
                       });
  if (decimal) return RimKind::kDriver;
  return std::nullopt;
}

Result<GoldenMeasurement> ParseResource(xmlNode* r) {
  auto type = Attr(r, "type");
  if (!type) return Bad("Resource without type");
  if (*type != "Measurement") return Unsupported("Resource type '" + *type + "'");
  GoldenMeasurement g;
  TEE_ASSIGN_OR_RETURN(const std::string index, RequiredAttr(r, "index"));
  TEE_ASSIGN_OR_RETURN(const std::string size, RequiredAttr(r, "size"));
  TEE_ASSIGN_OR_RETURN(const std::string alts, RequiredAttr(r, "alternatives"));
  TEE_ASSIGN_OR_RETURN(const std::string active, RequiredAttr(r, "active"));
  const auto idx = Decimal(index, kMaxIndex);
  const auto sz = Decimal(size, kMaxMeasurementSize);
  const auto n = Decimal(alts, kMaxAlternatives);
  if (!idx || !sz || *sz == 0 || !n || *n == 0) return Bad("bad index, size or alternatives");
  if (active != "True" && active != "False") return Bad("active is neither True nor False");
  g.index = *idx;
  g.size = *sz;
  g.active = active == "True";
  g.name = Attr(r, "name").value_or("");
  for (uint32_t i = 0; i < *n; ++i) {
    const std::string attr = "Hash" + std::to_string(i);
    auto hex = Attr(r, attr.c_str(), kSha384Ns);
    if (!hex) return Bad("measurement " + index + " lacks " + attr);
    auto value = FromHex(*hex);
    if (!value || value->size() != g.size) return Bad("measurement " + index + " " + attr);
    g.alternatives.push_back(std::move(*value));
  }
  return g;
}

Status ParsePayload(xmlNode* payload, Rim& rim) {
  for (xmlNode* c = payload->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (!IsElement(c, kSwidNs, "Resource")) return Bad("unexpected element in Payload");
    TEE_ASSIGN_OR_RETURN(GoldenMeasurement g, ParseResource(c));
    const uint32_t index = g.index;
    if (!rim.measurements.emplace(index, std::move(g)).second) {
      return Bad("measurement index " + std::to_string(index) + " listed twice");
    }
  }
  if (rim.measurements.empty()) return Bad("no measurements");
  return Status::Ok();
}

Status ParseMeta(xmlNode* root, Rim& rim) {
  TEE_ASSIGN_OR_RETURN(xmlNode * meta, OnlyChild(root, kSwidNs, "Meta"));
  TEE_ASSIGN_OR_RETURN(rim.colloquial_version, RequiredAttr(meta, "colloquialVersion"));
  rim.product = Attr(meta, "product").value_or("");
  const auto edition = Attr(meta, "edition");
  if (edition && *edition != "GPU") return Unsupported("edition '" + *edition + "' (GPU only)");
  const auto kind = KindOfVersion(rim.colloquial_version);
  if (!kind) return Bad("colloquialVersion is neither a driver nor a VBIOS version");
  rim.kind = *kind;
  return Status::Ok();
}

// Algorithm attribute of the one `name` child of `parent`.
Result<std::string> AlgorithmOf(xmlNode* parent, const char* name) {
  TEE_ASSIGN_OR_RETURN(xmlNode * n, OnlyChild(parent, kDsigNs, name));
  return RequiredAttr(n, "Algorithm");
}

bool IsC14n(std::string_view alg) {
  return alg == "http://www.w3.org/2006/12/xml-c14n11" ||
         alg == "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" ||
         alg == "http://www.w3.org/2001/10/xml-exc-c14n#";
}

Status CheckReference(xmlNode* signed_info) {
  TEE_ASSIGN_OR_RETURN(xmlNode * ref, OnlyChild(signed_info, kDsigNs, "Reference"));
  // URI="" is the whole document: nothing read from it escapes the signature.
  if (Attr(ref, "URI") != std::optional<std::string>("")) return Bad("Reference URI is not \"\"");
  TEE_ASSIGN_OR_RETURN(xmlNode * transforms, OnlyChild(ref, kDsigNs, "Transforms"));
  bool enveloped = false;
  for (xmlNode* t : Children(transforms, kDsigNs, "Transform")) {
    TEE_ASSIGN_OR_RETURN(const std::string alg, RequiredAttr(t, "Algorithm"));
    if (alg == "http://www.w3.org/2000/09/xmldsig#enveloped-signature") {
      enveloped = true;
    } else if (!IsC14n(alg)) {
      return Unsupported("transform " + alg);
    }
  }
  if (!enveloped) return Bad("signature is not enveloped");
  TEE_ASSIGN_OR_RETURN(const std::string digest, AlgorithmOf(ref, "DigestMethod"));
  if (digest != "http://www.w3.org/2001/04/xmldsig-more#sha384") {
    return Unsupported("digest " + digest);
  }
  return Status::Ok();
}

Status ParseKeyInfo(xmlNode* signature, Rim& rim) {
  TEE_ASSIGN_OR_RETURN(xmlNode * key_info, OnlyChild(signature, kDsigNs, "KeyInfo"));
  TEE_ASSIGN_OR_RETURN(xmlNode * data, OnlyChild(key_info, kDsigNs, "X509Data"));
  const auto certs = Children(data, kDsigNs, "X509Certificate");
  if (certs.empty() || certs.size() > kMaxKeyInfoCerts) return Bad("KeyInfo certificate count");
  for (xmlNode* c : certs) {
    xmlChar* text = xmlNodeGetContent(c);
    if (text == nullptr) return Bad("empty X509Certificate");
    auto der = crypto::Base64Decode(reinterpret_cast<const char*>(text));
    xmlFree(text);
    if (!der || der->empty()) return Bad("X509Certificate is not base64");
    rim.key_info_certs.push_back(std::move(*der));
  }
  return Status::Ok();
}

Status ParseSignature(xmlNode* signature, Rim& rim) {
  TEE_ASSIGN_OR_RETURN(xmlNode * signed_info, OnlyChild(signature, kDsigNs, "SignedInfo"));
  TEE_ASSIGN_OR_RETURN(const std::string c14n, AlgorithmOf(signed_info, "CanonicalizationMethod"));
  if (!IsC14n(c14n)) return Unsupported("canonicalization " + c14n);
  TEE_ASSIGN_OR_RETURN(const std::string method, AlgorithmOf(signed_info, "SignatureMethod"));
  if (method != "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384") {
    return Unsupported("signature method " + method);
  }
  TEE_TRY(CheckReference(signed_info));
  if (Children(signature, kDsigNs, "SignatureValue").size() != 1) {
    return Bad("expected exactly one SignatureValue element");
  }
  return ParseKeyInfo(signature, rim);
}

Result<xmlDoc*> ReadXml(ByteView xml) {
  if (xml.empty() || xml.size() > kMaxRimBytes) return Bad("size out of range");
  // No DOCTYPE, so no entity declaration, is ever handed to libxml2 (the
  // document is read as UTF-8, so this byte scan sees every markup byte).
  const std::string_view text(reinterpret_cast<const char*>(xml.data()), xml.size());
  if (text.find("<!DOCTYPE") != std::string_view::npos) return Bad("DOCTYPE is not allowed");
  // NONET: no network. Not NOENT / DTDLOAD / DTDATTR / XINCLUDE / HUGE: no
  // entity substitution, no external subset, libxml2's default size limits.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlParserCtxt* ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return Error(ErrorCode::kInternal, "xmlNewParserCtxt failed");
  xmlDoc* doc = xmlCtxtReadMemory(ctxt, reinterpret_cast<const char*>(xml.data()),
                                  static_cast<int>(xml.size()), nullptr, "UTF-8", options);
  xmlFreeParserCtxt(ctxt);
  if (doc == nullptr) return Bad("not well-formed XML");
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    xmlFreeDoc(doc);
    return Bad("DOCTYPE is not allowed");
  }
  return doc;
}

}  // namespace

namespace detail {

Result<ParsedRim> ParseDocument(ByteView xml) {
  if (!InitXmlOnce()) return Error(ErrorCode::kInternal, "xmlsec initialisation failed");
  TEE_ASSIGN_OR_RETURN(xmlDoc * raw, ReadXml(xml));
  ParsedRim out;
  out.doc.reset(raw);
  xmlNode* root = xmlDocGetRootElement(raw);
  if (root == nullptr || !IsElement(root, kSwidNs, "SoftwareIdentity")) {
    return Bad("root is not a SWID SoftwareIdentity");
  }
  TEE_ASSIGN_OR_RETURN(out.rim.tag_id, RequiredAttr(root, "tagId"));
  TEE_TRY(ParseMeta(root, out.rim));
  TEE_ASSIGN_OR_RETURN(xmlNode * payload, OnlyChild(root, kSwidNs, "Payload"));
  TEE_TRY(ParsePayload(payload, out.rim));
  TEE_ASSIGN_OR_RETURN(out.signature, OnlyChild(root, kDsigNs, "Signature"));
  TEE_TRY(ParseSignature(out.signature, out.rim));
  return out;
}

}  // namespace detail

std::string_view RimKindName(RimKind kind) { return kind == RimKind::kDriver ? "driver" : "vbios"; }

Result<Rim> ParseRim(ByteView xml) {
  TEE_ASSIGN_OR_RETURN(detail::ParsedRim parsed, detail::ParseDocument(xml));
  return std::move(parsed.rim);
}

// ---- comparison -------------------------------------------------------------

namespace {

bool Matches(const GoldenMeasurement& g, const ReportMeasurements& report) {
  const auto it = report.find(g.index);
  if (it == report.end() || it->second.size() != g.size) return false;
  return std::any_of(g.alternatives.begin(), g.alternatives.end(),
                     [&](const Bytes& alt) { return alt == it->second; });
}

std::string IndexList(const std::vector<uint32_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

}  // namespace

CompareResult Compare(const ReportMeasurements& report, const Rim& driver, const Rim& vbios,
                      bool nvdec0_enabled) {
  std::map<uint32_t, const GoldenMeasurement*> golden;
  std::vector<uint32_t> conflicting;
  for (const auto& [index, g] : driver.measurements) {
    if (g.active) golden[index] = &g;
  }
  for (const auto& [index, g] : vbios.measurements) {
    if (!g.active) continue;
    if (golden.count(index) != 0) {
      conflicting.push_back(index);
    } else {
      golden[index] = &g;
    }
  }
  for (uint32_t index : conflicting) golden.erase(index);
  CompareResult out;
  out.conflicting = std::move(conflicting);  // ascending: map iteration order
  for (const auto& [index, g] : golden) {
    if (index == kNvdec0Index && !nvdec0_enabled) continue;
    if (!Matches(*g, report)) out.mismatched.push_back(index);
  }
  return out;
}

std::optional<Failure> CompareFailure(const CompareResult& result) {
  if (result.ok()) return std::nullopt;
  std::string msg = "RIM measurements:";
  if (!result.mismatched.empty()) msg += " mismatched " + IndexList(result.mismatched);
  if (!result.mismatched.empty() && !result.conflicting.empty()) msg += ";";
  if (!result.conflicting.empty()) {
    msg += " active in both driver and VBIOS RIMs " + IndexList(result.conflicting);
  }
  return Failure{FailureCode::kMeasurementMismatch, std::move(msg)};
}

std::string NormaliseVersion(std::string_view version) {
  while (!version.empty() && (version.back() == '\0' || version.back() == ' ')) {
    version.remove_suffix(1);
  }
  std::string out(version);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool VersionMatches(const Rim& rim, std::string_view report_version) {
  const std::string want = NormaliseVersion(rim.colloquial_version);
  return !want.empty() && want == NormaliseVersion(report_version);
}

}  // namespace tenzro::tee::nvidia::rim

// A strict reader of the Prometheus text format 0.0.4 for the tests (the
// HTTP API's /metrics and the plugin's fetcher metrics). Boost.Test asserts.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace tenzro::tee::testing::prometheus_text {

// A strict reader of the Prometheus text format 0.0.4: every line is a HELP
// or TYPE comment or a sample `name{label="value",...} value`, names and
// labels well formed, each sample inside a family declared by a TYPE line
// before it (histograms: _bucket, _sum, _count), bucket labels `le`.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

inline bool IsName(const std::string& n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') return false;
  return true;
}

inline std::vector<Sample> ParsePrometheus(const std::string& text) {
  std::vector<Sample> out;
  std::map<std::string, std::string> types;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    BOOST_TEST_CONTEXT(line) {
      BOOST_REQUIRE(!line.empty());
      if (line.rfind("# HELP ", 0) == 0) {
        BOOST_REQUIRE(IsName(line.substr(7, line.find(' ', 7) - 7)));
        continue;
      }
      if (line.rfind("# TYPE ", 0) == 0) {
        std::istringstream t(line.substr(7));
        std::string name, type;
        t >> name >> type;
        BOOST_REQUIRE(IsName(name));
        BOOST_REQUIRE((type == "counter" || type == "gauge" || type == "histogram" ||
                       type == "summary" || type == "untyped"));
        BOOST_REQUIRE(types.emplace(name, type).second);
        continue;
      }
      BOOST_REQUIRE(line[0] != '#');
      Sample s;
      size_t i = 0;
      while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
      s.name = line.substr(0, i);
      BOOST_REQUIRE(IsName(s.name));
      if (i < line.size() && line[i] == '{') {
        ++i;
        while (line.at(i) != '}') {
          const size_t eq = line.find('=', i);
          BOOST_REQUIRE(eq != std::string::npos);
          const std::string key = line.substr(i, eq - i);
          BOOST_REQUIRE(IsName(key));
          BOOST_REQUIRE(line.at(eq + 1) == '"');
          std::string value;
          size_t j = eq + 2;
          for (; line.at(j) != '"'; ++j) {
            if (line[j] == '\\') {
              ++j;
              const char e = line.at(j);
              BOOST_REQUIRE((e == '\\' || e == '"' || e == 'n'));
              value += e == 'n' ? '\n' : e;
            } else {
              value += line[j];
            }
          }
          BOOST_REQUIRE(s.labels.emplace(key, value).second);
          i = j + 1;
          if (line.at(i) == ',') ++i;
        }
        ++i;
      }
      BOOST_REQUIRE(line.at(i) == ' ');
      const std::string v = line.substr(i + 1);
      if (v == "+Inf") {
        s.value = std::numeric_limits<double>::infinity();
      } else {
        size_t used = 0;
        s.value = std::stod(v, &used);
        BOOST_REQUIRE(used == v.size());
      }
      std::string family = s.name;
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string sf(suffix);
        if (types.count(family) == 0 && family.size() > sf.size() &&
            family.compare(family.size() - sf.size(), sf.size(), sf) == 0) {
          family.resize(family.size() - sf.size());
        }
      }
      BOOST_REQUIRE_MESSAGE(types.count(family) == 1, "sample outside a TYPE'd family");
      if (s.name != family) BOOST_REQUIRE(types[family] == "histogram");
      if (s.name == family + "_bucket") BOOST_REQUIRE(s.labels.count("le") == 1);
      out.push_back(std::move(s));
    }
  }
  return out;
}

inline double Value(const std::vector<Sample>& samples, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  for (const auto& s : samples)
    if (s.name == name && s.labels == labels) return s.value;
  return -1;
}

}  // namespace tenzro::tee::testing::prometheus_text

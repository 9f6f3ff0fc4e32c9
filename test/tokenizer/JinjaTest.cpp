// JinjaTest.cpp - Kiln's template engine against Jinja2 as transformers runs it: every case
// of jinja_cases.py rendered by both (golden/jinja.json), plus messages for bad templates.
#include "ChatTemplate.h"
#include "TestData.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using kiln::tokenizer::ChatTemplate;
using Json = nlohmann::ordered_json;

namespace {

struct Rendered {
  bool ok;
  std::string text; // the output, or the error message
};

Rendered render(const std::string &source, const std::string &variables) {
  std::unique_ptr<ChatTemplate> t;
  kiln_status_t status = ChatTemplate::compile(source, "case", {}, &t);
  std::string text;
  if (!status) status = t->renderWith(variables, &text);
  if (!status) return {true, text};
  std::string message = kiln_status_message(status);
  kiln_status_free(status);
  return {false, message};
}

} // namespace

TEST(Jinja, MatchesJinja2AsTransformersConfiguresIt) {
  Json golden = Json::parse(kiln::test::readText(kiln::test::goldenPath("jinja.json")));
  ASSERT_GT(golden["cases"].size(), 30u);
  for (const Json &c : golden["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Rendered r = render(c["template"].get<std::string>(), c["context"].dump());
    if (c.contains("error")) {
      EXPECT_FALSE(r.ok) << "rendered " << r.text << " where Jinja2 raised " << c["error"];
      std::string error = c["error"].get<std::string>();
      if (error.rfind("TemplateError: ", 0) == 0) { // raise_exception: the same message
        EXPECT_NE(r.text.find(error.substr(15)), std::string::npos) << r.text;
      }
    } else {
      EXPECT_TRUE(r.ok) << r.text;
      EXPECT_EQ(r.text, c["output"].get<std::string>());
    }
  }
}

TEST(Jinja, SyntaxErrorsNameTheLine) {
  Rendered r = render("line one\n{% if x %}\n{% endfor %}", "{}");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.text.find("line 3"), std::string::npos) << r.text;
  r = render("{{ 'unterminated }}", "{}");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.text.find("unterminated string"), std::string::npos) << r.text;
  r = render("{% include 'x' %}", "{}");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.text.find("tag 'include' is not supported"), std::string::npos) << r.text;
  r = render("{{ x | nosuchfilter }}", "{\"x\": 1}");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.text.find("no filter named 'nosuchfilter'"), std::string::npos) << r.text;
}

TEST(Jinja, RuntimeErrorsNameTheLine) {
  Rendered r = render("a\nb {{ 1 + 'x' }}", "{}");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.text.find("line 2: unsupported operand type(s) for +: 'int' and 'str'"), std::string::npos) << r.text;
}

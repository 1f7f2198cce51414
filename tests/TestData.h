#pragma once
// A JSON file from tests/data (ATTNSCOPE_TEST_DATA, set by CTest for every test).
#include <nlohmann/json.hpp>

#include <QString>

#include <fstream>
#include <string>

inline nlohmann::json readTestDataJson(const std::string& name)
{
    std::ifstream in(qEnvironmentVariable("ATTNSCOPE_TEST_DATA").toStdString() + "/" + name);
    return nlohmann::json::parse(in);
}

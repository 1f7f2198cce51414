#include "HfCheckpoint.h"

#include "MemoryBudget.h"
#include "FileBytes.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace attn {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr uint64_t kMaxIndexBytes = 64 * 1024 * 1024;
constexpr size_t kMaxShards = 4096;

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::string mbText(uint64_t bytes)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buffer;
}

uint64_t elementCount(const std::vector<int64_t>& shape)
{
    uint64_t count = 1;
    for (int64_t d : shape)
        if (__builtin_mul_overflow(count, static_cast<uint64_t>(d), &count))
            return UINT64_MAX;
    return count;
}

bool isPlainFileName(const std::string& name)
{
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos
        && name.find('\\') == std::string::npos && name.find('\0') == std::string::npos;
}

} // namespace

Expected<HfCheckpoint> HfCheckpoint::open(const std::string& path)
{
    HfCheckpoint checkpoint;
    const fs::path p(path);
    if (p.extension() == ".json") {
        auto text = FileBytes::read(path, kMaxIndexBytes);
        if (!text)
            return text.takeError();
        json index;
        try {
            index = json::parse(*text);
        } catch (const json::parse_error& e) {
            return makeError(path + ": not valid JSON (at byte " + std::to_string(e.byte) + ")");
        } catch (const json::exception& e) { // e.g. a number too large for a double: 1e400
            return makeError(path + ": not valid JSON (" + e.what() + ")");
        }
        const auto map = index.is_object() ? index.find("weight_map") : index.end();
        if (map == index.end() || !map->is_object() || map->empty())
            return makeError(path + ": no \"weight_map\" object naming the shard of each tensor");
        std::map<std::string, size_t> shardIndex;
        std::vector<std::string> shardNames;
        std::vector<std::pair<std::string, std::string>> wanted;
        for (auto it = map->begin(); it != map->end(); ++it) {
            if (!it.value().is_string())
                return makeError(
                    path + ": the shard of tensor '" + it.key() + "' must be a file name string");
            const std::string shard = it.value().get<std::string>();
            if (!isPlainFileName(shard))
                return makeError(path + ": the shard '" + shard + "' of tensor '" + it.key()
                    + "' must be a file name in the same folder");
            if (!shardIndex.count(shard)) {
                if (shardIndex.size() >= kMaxShards)
                    return makeError(path + ": more than " + std::to_string(kMaxShards) + " shards");
                shardIndex[shard] = shardNames.size();
                shardNames.push_back(shard);
            }
            wanted.emplace_back(it.key(), shard);
        }
        const fs::path folder = p.parent_path();
        for (const std::string& name : shardNames) {
            auto shard = SafetensorsFile::open((folder / name).string());
            if (!shard)
                return shard.takeError();
            checkpoint.m_shards.push_back(std::move(*shard));
        }
        for (const auto& [tensor, shard] : wanted) {
            const size_t i = shardIndex[shard];
            if (!checkpoint.m_shards[i].find(tensor))
                return makeError(path + ": the index maps tensor '" + tensor + "' to " + shard
                    + ", which has no such tensor");
            checkpoint.m_location[tensor] = i;
        }
        checkpoint.m_displayName
            = p.filename().string() + " (" + std::to_string(shardNames.size()) + " shards)";
    } else {
        auto file = SafetensorsFile::open(path);
        if (!file)
            return file.takeError();
        for (const SafetensorsEntry& e : file->entries())
            checkpoint.m_location[e.name] = 0;
        checkpoint.m_shards.push_back(std::move(*file));
        checkpoint.m_displayName = p.filename().string();
    }
    for (const auto& [name, shard] : checkpoint.m_location) {
        const uint64_t bytes = elementCount(checkpoint.m_shards[shard].find(name)->shape);
        if (bytes > UINT64_MAX / 4
            || __builtin_add_overflow(checkpoint.m_float32Bytes, bytes * 4, &checkpoint.m_float32Bytes))
            checkpoint.m_float32Bytes = UINT64_MAX;
    }
    return checkpoint;
}

Status HfCheckpoint::checkBudget(const ComputeControl& control) const
{
    const uint64_t limit
        = control.memoryLimitBytes ? control.memoryLimitBytes : defaultMemoryLimit();
    if (m_float32Bytes > limit)
        return makeError(m_displayName + ": its " + std::to_string(m_location.size()) + " tensors need "
            + mbText(m_float32Bytes) + " as float32, more than the memory budget of " + mbText(limit));
    return success();
}

std::string HfCheckpoint::storedDtype(const std::string& name) const
{
    const auto it = m_location.find(name);
    const SafetensorsEntry* entry = it == m_location.end() ? nullptr : m_shards[it->second].find(name);
    return entry ? entry->dtype : std::string();
}

std::vector<int64_t> HfCheckpoint::storedShape(const std::string& name) const
{
    const auto it = m_location.find(name);
    const SafetensorsEntry* entry = it == m_location.end() ? nullptr : m_shards[it->second].find(name);
    return entry ? entry->shape : std::vector<int64_t>();
}

Status HfCheckpoint::readInto(
    const std::string& name, const std::vector<int64_t>& shape, float* out, std::string* keepBytes) const
{
    const auto it = m_location.find(name);
    if (it == m_location.end())
        return makeError(m_displayName + ": missing tensor '" + name + "' (the checkpoint has "
            + std::to_string(m_location.size()) + " tensors; is config.json's model_type right?)");
    const SafetensorsFile& shard = m_shards[it->second];
    const SafetensorsEntry* entry = shard.find(name);
    if (entry->dtype != "F32" && entry->dtype != "F16" && entry->dtype != "BF16")
        return makeError(m_displayName + ": tensor '" + name + "' has dtype " + entry->dtype
            + "; model weights must be F32, F16 or BF16");
    if (entry->shape != shape)
        return makeError(m_displayName + ": tensor '" + name + "' has shape " + shapeText(entry->shape)
            + " but config.json implies " + shapeText(shape));
    if (auto st = shard.readInto(name, out, keepBytes); !st)
        return st.takeError();
    const auto count = static_cast<Eigen::Index>(SafetensorsFile::elementCount(*entry));
    if (Eigen::Map<const Eigen::ArrayXf>(out, count).isFinite().all())
        return success();
    for (Eigen::Index i = 0; i < count; ++i)
        if (!std::isfinite(out[i]))
            return makeError(m_displayName + ": tensor '" + name + "' holds "
                + (std::isnan(out[i]) ? "NaN" : "infinity") + " at element " + std::to_string(i)
                + "; a checkpoint's weights must be finite");
    return success();
}

Expected<Tensor> HfCheckpoint::tensor(const std::string& name, const std::vector<int64_t>& shape) const
{
    Tensor t;
    t.name = name;
    t.shape = shape;
    int64_t count = 1;
    for (int64_t d : shape)
        count = d >= 0 && !__builtin_mul_overflow(count, d, &count) ? count : -1;
    const auto it = m_location.find(name);
    const SafetensorsEntry* entry = it == m_location.end() ? nullptr : m_shards[it->second].find(name);
    // Allocate only for a tensor whose stored shape is the asked one (readInto names any mismatch).
    if (entry && entry->shape == shape && count >= 0)
        t.data.resize(static_cast<size_t>(count));
    if (auto st = readInto(name, shape, t.data.data()); !st)
        return st.takeError();
    return t;
}

Expected<Matrix> HfCheckpoint::matrix(const std::string& name, int64_t rows, int64_t cols) const
{
    const auto it = m_location.find(name);
    const SafetensorsEntry* entry = it == m_location.end() ? nullptr : m_shards[it->second].find(name);
    Matrix m;
    if (entry && entry->shape == std::vector<int64_t> { rows, cols })
        m.resize(rows, cols);
    if (auto st = readInto(name, { rows, cols }, m.data()); !st)
        return st.takeError();
    return m;
}

Expected<Vector> HfCheckpoint::vector(const std::string& name, int64_t size) const
{
    const auto it = m_location.find(name);
    const SafetensorsEntry* entry = it == m_location.end() ? nullptr : m_shards[it->second].find(name);
    Vector v;
    if (entry && entry->shape == std::vector<int64_t> { size })
        v.resize(size);
    if (auto st = readInto(name, { size }, v.data()); !st)
        return st.takeError();
    return v;
}

} // namespace attn

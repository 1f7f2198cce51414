#pragma once
// A value or an error message: what every core function that can fail on user input returns.
// (std::expected is C++23; this is the small subset we need under C++20.)
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace attn {

struct Error {
    std::string message;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

template <class T>
class Expected {
public:
    Expected(T value) : m_state(std::move(value)) {}
    Expected(Error error) : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T& value() { assert(ok()); return std::get<T>(m_state); }
    const T& value() const { assert(ok()); return std::get<T>(m_state); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const std::string& error() const { assert(!ok()); return std::get<Error>(m_state).message; }
    Error takeError() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

// For functions that only succeed or fail.
struct Done {};
using Status = Expected<Done>;
inline Status success() { return Done{}; }

} // namespace attn

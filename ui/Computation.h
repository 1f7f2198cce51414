#pragma once
// One finished computation as the views receive it: an immutable snapshot shared by pointer.
#include "AttentionResult.h"
#include "InputSpec.h"
#include "Mechanism.h"

#include <QMetaType>

#include <memory>

struct Computation {
    attn::InputSpec input;
    attn::Mechanism mechanism;
    std::shared_ptr<const attn::AttentionResult> result;
    quint64 generation = 0;
};

using ComputationPtr = std::shared_ptr<const Computation>;
Q_DECLARE_METATYPE(ComputationPtr)

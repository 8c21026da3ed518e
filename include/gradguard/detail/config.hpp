// IWYU pragma: private, include <gradguard/gradguard.hpp>
#pragma once

// The sweeps are expression templates: each function is a few instructions
// once its operands are known, and the optimised code is the hand-written
// chain rule only if every one of them is inlined. GCC gives up on the deep,
// many-level call trees of a 20-node expression (the evaluated tree was then
// built out of line and copied level by level, 3-4x slower than hand-written),
// so the functions on that path are forced inline.
#if defined(__GNUC__) || defined(__clang__)
#define GRADGUARD_ALWAYS_INLINE [[gnu::always_inline]] inline
#define GRADGUARD_NOINLINE [[gnu::noinline]]
#else
#define GRADGUARD_ALWAYS_INLINE inline
#define GRADGUARD_NOINLINE
#endif

// GRADGUARD_CHECK_FINITE=1: a gg::tape made without arguments reports a NaN
// or infinite adjoint or value that reaches the gradient asked for
// (gg::check_finite). Off by default, whatever
// NDEBUG says: a default that changed with NDEBUG would let linking debug and
// release translation units pick it by link order.
#ifndef GRADGUARD_CHECK_FINITE
#define GRADGUARD_CHECK_FINITE 0
#endif

// GRADGUARD_CHECK_THREAD=1: a gg::tape used on a thread other than the one
// that made it throws gg::tape_mismatch (at tape.variable, tape.variables,
// tape.gradient, tape.jacobian and tape.clear, not at every statement). On
// by default in debug builds (without NDEBUG). The tape's layout is the same
// either way (it always keeps its thread's id), so debug and release
// translation units linked together agree on it; which of them checks then
// depends on the link order. Cost: a thread id compared per call above.
#ifndef GRADGUARD_CHECK_THREAD
#ifdef NDEBUG
#define GRADGUARD_CHECK_THREAD 0
#else
#define GRADGUARD_CHECK_THREAD 1
#endif
#endif

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

// GRADGUARD_CHECK_FINITE=1: a gg::tape made without arguments reports the
// first NaN or infinite adjoint (gg::check_finite). Off by default, whatever
// NDEBUG says: a default that changed with NDEBUG would let linking debug and
// release translation units pick it by link order.
#ifndef GRADGUARD_CHECK_FINITE
#define GRADGUARD_CHECK_FINITE 0
#endif

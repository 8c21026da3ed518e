// The precompiled header of the unit tests without Eigen (meson's cpp_pch:
// compiled once, force-included into every source of the unit_objects
// library). GoogleTest, gmock and the umbrella take ~3 s to parse per
// translation unit, more than most test bodies. A test that defines a
// GRADGUARD_ configuration macro before its includes must not use it (the
// header would already be configured): those are built on their own
// (test/unit/meson.build).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <gradguard/gradguard.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

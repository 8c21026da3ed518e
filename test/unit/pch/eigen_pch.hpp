// The precompiled header of the unit tests that use Eigen (see unit_pch.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <gradguard/eigen.hpp>
#include <gradguard/gradguard.hpp>

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

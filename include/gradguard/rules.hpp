// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The rule table: every primitive's value and partials, written once.
#pragma once

#include <gradguard/rules/arithmetic.hpp>
#include <gradguard/rules/exponential.hpp>
#include <gradguard/rules/math.hpp>
#include <gradguard/rules/non_differentiable.hpp>
#include <gradguard/rules/piecewise.hpp>
#include <gradguard/rules/special.hpp>
#include <gradguard/rules/trigonometric.hpp>
#include <gradguard/rules/vocabulary.hpp>

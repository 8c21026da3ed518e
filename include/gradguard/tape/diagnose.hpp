// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The tape's messages: why a requested gradient is missing (which variable,
// the reason, where its path was cut, the fix), and with gg::check_finite
// where a NaN or infinite value or adjoint came from.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gradguard/tape/tape.hpp>

namespace gradguard {

template <class T>
tape_mismatch basic_tape<T>::mismatch(const basic_real<T>& foreign) const {
  return tape_mismatch("gradguard: a computation mixes gg::real values of two recordings: " +
                       describe_foreign(foreign) +
                       "; record every value of one computation on the same gg::tape, after "
                       "its last clear() (each thread records on its own tape)");
}

template <class T>
tape_mismatch basic_tape<T>::wrong_thread(std::string_view what) const {
  std::ostringstream os;
  os << "gradguard: " << what << " on thread #" << detail::this_thread_number()
     << ": this gg::tape (at " << static_cast<const void*>(this) << ", registry slot "
     << (id_ & 0xffffu) << ", " << statements_.size() << " values recorded) was made on thread #"
     << owner_
     << ", and a tape used by two threads corrupts its memory; fix: use one tape per thread "
        "(make the gg::tape inside the thread's function, or thread_local)";
  return tape_mismatch(os.str());
}

template <class T>
std::string basic_tape<T>::name_of(std::uint32_t i) const {
  if (const auto* b = range_of(i)) {
    std::string name = names_.substr(b->name_begin, b->name_size);
    if (!b->array) return name;
    return name + "[" + std::to_string(i - b->first) + "]";
  }
  return "value #" + std::to_string(i);
}

template <class T>
std::string basic_tape<T>::created_at(std::uint32_t i) const {
  if (const auto* b = range_of(i)) {
    auto site = detail::format_site(b->where);
    if (!site.empty()) return " (created at " + site + ")";
  }
  return "";
}

template <class T>
std::string basic_tape<T>::describe_foreign(const basic_real<T>& r) const {
  if (const basic_tape<T>* other = r.tape())
    return "'" + other->name_of(r.index()) + "'" + other->created_at(r.index()) +
           " belongs to another tape";
  if ((r.tape_id() & 0xffffu) == (id_ & 0xffffu))
    return "a gg::real (value #" + std::to_string(r.index()) +
           ") was recorded on this tape before tape.clear(), which invalidates it";
  return "a gg::real (value #" + std::to_string(r.index()) +
         ") belongs to a tape that has been cleared or destroyed since";
}

template <class T>
template <class R>
std::vector<std::size_t> basic_tape<T>::diagnose(std::span<const std::uint32_t> outputs,
                                                 bool output_on_tape, const R& xs,
                                                 std::span<const T> values, bool allow) const {
  std::vector<std::uint32_t> mark;
  std::vector<missing_variable> missing;
  std::vector<std::size_t> positions;
  std::size_t i = 0, requested = 0;
  for (const basic_real<T>& x : xs) {
    ++requested;
    const bool mine = owns(x);
    const auto* b = mine ? range_of(x.index()) : nullptr;
    const bool zero = detail::plain_value(values[i]) == 0;
    if (mine && (b == nullptr || b->trainable) && !zero) {
      ++i;
      continue;  // active: the common case costs a lookup, no text
    }
    const std::string name = mine       ? name_of(x.index())
                             : x.tape() ? x.tape()->name_of(x.index())
                                        : "argument " + std::to_string(i + 1);
    const std::string quoted = "'" + name + "'";
    auto add = [&](missing_reason why, std::string text) {
      missing.push_back({name, why, std::move(text)});
      positions.push_back(i);
    };
    if (!x.on_tape()) {
      add(missing_reason::not_a_variable,
          quoted + " is a constant (a gg::real made from a number, on no tape)");
    } else if (!mine) {
      // Not a missing derivative but a mistake, even with allow_unconnected:
      // a stale real cannot be told from a variable of this recording by its value.
      throw tape_mismatch(
          "gradguard: tape.gradient(y, xs): " + describe_foreign(x) +
          "; ask for the gradient with respect to variables of the recording that computed y "
          "(a tape gives the derivatives of its own variables, since its last clear())");
    } else if (b != nullptr && !b->trainable) {
      add(missing_reason::frozen,
          quoted + created_at(x.index()) + " is frozen (created with gg::trainable::no)");
    } else if (!output_on_tape) {
      add(missing_reason::absent,
          quoted + created_at(x.index()) + " is not used: the result is a constant");
    } else {
      if (mark.empty()) mark = reachability(outputs);
      const std::uint32_t m = x.index() < mark.size() ? mark[x.index()] : 0;
      if (m == 0) {
        add(missing_reason::absent,
            quoted + created_at(x.index()) + " is never used on a path to the result");
      } else if (m >= 2) {
        const auto& c = cuts_[m - 2];
        auto site = detail::format_site(c.where);
        if (site.empty())
          site =
              " (in a statement recorded inside gradguard, by an operator of real_matrix or "
              "the arguments of a gg::custom_gradient, which has no line)";
        else site.insert(0, " at ");
        std::string text = quoted + created_at(x.index());
        if (c.reason == missing_reason::stop_gradient)
          text += " reaches the result only through 'stop_gradient'" + site;
        else if (c.reason == missing_reason::untaken_branch)
          text += " reaches the result only through the branch of 'select' that was not taken" +
                  site + "; a branch not taken has no derivative";
        else
          text += " reaches the result only through '" + std::string(c.operation) + "'" + site +
                  ", which has no derivative";
        add(c.reason, std::move(text));
      }
      // m == 1: on a differentiable path; the derivative is a true 0.
    }
    ++i;
  }
  if (missing.empty() || allow) return positions;
  std::vector<std::string> names;
  names.reserve(missing.size());
  for (const auto& m : missing) names.push_back(m.name);
  std::string message;
  if (!output_on_tape) {
    message = "gradguard: the result depends on none of " + detail::quoted_list(names) +
              ": it was computed from constants only (no gg::real of a tape reaches it)";
  } else if (missing.size() == requested && requested > 1) {
    message = "gradguard: the result depends on none of " + detail::quoted_list(names) + ":";
  } else {
    message = "gradguard: cannot differentiate the result with respect to ";
    for (std::size_t k = 0; k < names.size(); ++k) message += (k ? ", '" : "'") + names[k] + "'";
    message += ":";
  }
  for (const auto& m : missing) message += "\n  " + m.detail;
  // At most two concrete fixes: the one for the reason (when they share one),
  // and the opt-out.
  const bool one_reason = std::all_of(missing.begin(), missing.end(), [&](const auto& m) {
    return m.reason == missing.front().reason;
  });
  const bool plural = missing.size() > 1;
  const std::string it = plural ? "them" : "it";
  std::string fix;
  switch (one_reason ? missing.front().reason : missing_reason::absent) {
    case missing_reason::frozen:
      fix = "create " + it + " with gg::trainable::yes if " + (plural ? "they" : "it") +
            " should be trained";
      break;
    case missing_reason::stop_gradient:
      fix = "remove the gg::stop_gradient from the path";
      break;
    case missing_reason::non_differentiable:
      fix =
          "compute the result with differentiable operations (gg::select(cond, a, b) keeps "
          "the gradient of the branch taken)";
      break;
    case missing_reason::not_a_variable:
      fix = "create " + it + " with tape.variable(\"name\", value)";
      break;
    case missing_reason::other_tape:
      fix = "record the computation and take the gradient on one tape";
      break;
    default:
      fix = one_reason ? "use " + it + " in the computation of the result"
                       : "put " + it + " on a differentiable path to the result";
  }
  message += "\n  fix: " + fix + ", or pass gg::allow_unconnected to get 0 instead";
  throw missing_gradient(message, std::move(missing));
}

// Every operand whose adjoint the block made NaN or infinite is noted, not
// only the first: the one reported is the first that reaches a requested
// variable (A / B with B_i = 0 makes both dA_i and dB_i infinite, and only
// B may be requested).
template <class T>
void basic_tape<T>::note_block(const detail::block_operation<T>& op) {
  op.for_each_operand_value([&](std::uint32_t i) {
    if (std::isfinite(detail::plain_value(adjoints_[i]))) return;
    origins_.push_back(
        {op.first, i, T(0), T(0), static_cast<std::uint32_t>(&op - operations_.data())});
  });
}

template <class T>
non_finite_adjoint basic_tape<T>::non_finite_block(const detail::block_operation<T>& op,
                                                   std::uint32_t i) const {
  std::ostringstream os;
  const bool custom = std::string_view(op.name) == "custom_gradient";
  os << "gradguard: the adjoint of '" << name_of(i) << "'" << created_at(i) << " became "
     << detail::plain_value(adjoints_[i]) << " in the reverse sweep, at the "
     << (custom ? "" : "matrix ") << "operation '" << op.name << "' (values #" << op.first
     << " to #" << op.last << ")";
  const auto site = detail::format_site(op.where);
  if (!site.empty()) os << " recorded at " << site;
  if (custom)
    os << ". Its vjp returned a NaN or infinite cotangent, or the sum overflowed; check the "
          "vjp at these inputs.";
  else
    os << ". The operation is evaluated where its derivative is infinite or undefined (log or "
          "sqrt of 0, division by 0), or the product overflowed; keep its input inside the "
          "domain or rescale the computation.";
  return non_finite_adjoint(os.str());
}

template <class T>
template <class ForEachRequested>
void basic_tape<T>::check_origins(std::uint32_t top, ForEachRequested& requested) const {
  // The requested values whose adjoint is NaN or infinite, and every value
  // computed from them: an origin counts when its operand is one of those.
  std::vector<char> bad(std::size_t{sweep_top(top)} + 1, 0);
  std::uint32_t low = std::numeric_limits<std::uint32_t>::max();
  requested([&](std::uint32_t i) {
    if (i < bad.size() && i < adjoints_.size() &&
        !std::isfinite(detail::plain_value(adjoints_[i]))) {
      bad[i] = 1;
      low = std::min(low, i);
    }
  });
  if (low == std::numeric_limits<std::uint32_t>::max()) return;  // none reached
  const detail::statement_shape* shape = statements_.data();
  const std::uint32_t* unit = units_.data();
  const std::uint32_t* general = general_.data();
  auto op = operations_.begin();
  for (std::size_t s = 0; s < bad.size(); ++s) {
    const auto [nu, ng] = shape[s];
    for (std::uint32_t k = 0; k < nu && s > low && !bad[s]; ++k) bad[s] = bad[unit[k]];
    for (std::uint32_t k = 0; k < ng && s > low && !bad[s]; ++k) bad[s] = bad[general[k]];
    unit += nu;
    general += ng;
    for (; op != operations_.end() && op->first == s; ++op) {
      bool any = false;
      op->for_each_operand_value([&](std::uint32_t i) { any = any || bad[i] != 0; });
      for (std::size_t i = op->first; any && i <= op->last && i < bad.size(); ++i) bad[i] = 1;
    }
  }
  for (const auto& o : origins_) {
    if (!bad[o.operand]) continue;
    if (o.block != std::numeric_limits<std::uint32_t>::max())
      throw non_finite_block(operations_[o.block], o.operand);
    throw non_finite(o.statement, o.operand, o.adjoint, o.partial);
  }
}

template <class T>
template <class ForEachRequested>
void basic_tape<T>::check_finite_after(std::span<const std::uint32_t> outputs,
                                       ForEachRequested&& requested) {
  std::uint32_t top = 0;
  for (auto y : outputs) top = std::max(top, y);
  // First the adjoints asked for (the message has the partial), then the values.
  if (!origins_.empty()) check_origins(top, requested);
  if (!non_finite_values_.empty() && !outputs.empty() && non_finite_values_.front().first <= top) {
    const std::vector<std::uint32_t> mark = reachability(outputs);
    for (const auto& [s, v] : non_finite_values_)
      if (s < mark.size() && mark[s] == 1) throw non_finite_value(s, v);
  }
}

template <class T>
void basic_tape<T>::describe_statement(std::ostream& os, std::uint32_t s) const {
  const detail::statement_info& info = info_[s];
  os << "statement #" << s;
  if (info.describe == nullptr) return;
  os << " `" << info.describe() << "`";
  const auto site = detail::format_site(info.where);
  os << (site.empty() ? " (recorded inside gradguard, by an operator of real_matrix or the "
                        "arguments of a gg::custom_gradient, which has no line)"
                      : " recorded at " + site);
  const std::size_t end =
      s + 1 < info_.size() ? info_[s + 1].first_leaf_value : leaf_values_.size();
  const std::size_t leaves = end - info.first_leaf_value;
  if (leaves > 0) {
    os << " with operand values ";
    for (std::size_t k = 0; k < leaves; ++k)
      os << (k ? ", " : "") << detail::leaf_letter(k) << " = "
         << detail::plain_value(leaf_values_[info.first_leaf_value + k]);
  }
}

template <class T>
non_finite_adjoint basic_tape<T>::non_finite(std::uint32_t s, std::uint32_t operand,
                                             const T& adjoint, const T& partial) const {
  std::ostringstream os;
  os << "gradguard: the adjoint of "
     << "'" << name_of(operand) << "'" << created_at(operand) << " became "
     << detail::plain_value(adjoints_[operand]) << " in the reverse sweep, at ";
  describe_statement(os, s);
  os << ": the incoming adjoint is " << detail::plain_value(adjoint)
     << " and the partial derivative with respect to '" << name_of(operand) << "' is "
     << detail::plain_value(partial) << ".";
  if (!std::isfinite(detail::plain_value(partial)))
    os << " The operation is evaluated where its derivative is infinite or undefined; keep its "
          "input inside the domain, e.g. gg::sqrt(gg::select(x > 0, x, 1.0)) (gg::select sends "
          "no adjoint into the branch it does not take, so that branch cannot make NaN).";
  else os << " The product overflowed; rescale the computation (e.g. work with logarithms).";
  return non_finite_adjoint(os.str());
}

template <class T>
non_finite_adjoint basic_tape<T>::non_finite_value(std::uint32_t s, double value) const {
  std::ostringstream os;
  os << "gradguard: the value of ";
  if (range_of(s) != nullptr) {
    os << "'" << name_of(s) << "'" << created_at(s);
  } else {
    describe_statement(os, s);
  }
  os << " is " << value
     << ", and it reaches the result on a differentiable path: the gradient computed through "
        "it means nothing. The operation is evaluated outside its domain (log or sqrt of a "
        "negative number, 0 / 0, inf - inf) or overflowed; keep its input inside the domain, "
        "e.g. gg::log(gg::select(x > 0, x, 1.0)), or rescale the computation.";
  return non_finite_adjoint(os.str());
}

}  // namespace gradguard
